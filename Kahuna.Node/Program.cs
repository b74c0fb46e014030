Console.WriteLine("kahuna");

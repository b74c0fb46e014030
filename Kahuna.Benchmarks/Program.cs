using BenchmarkDotNet.Running;

// The switcher takes BenchmarkDotNet's own flags (--filter, --job, --list, …); see README.md.
BenchmarkSwitcher.FromAssembly(typeof(Kahuna.Benchmarks.ClientCodecBenchmarks).Assembly).Run(args);

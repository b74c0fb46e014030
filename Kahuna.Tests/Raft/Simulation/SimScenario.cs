namespace Kahuna.Tests.Raft.Simulation;

/// <summary>The knobs of one simulated run, all drawn from its seed.</summary>
internal sealed record SimScenario
{
    public required int Seed { get; init; }
    public int Replicas { get; init; } = 5;
    public int InitialVoters { get; init; } = 3;
    public int FaultSteps { get; init; } = 3000;
    public int TickEvery { get; init; } = 10;
    public double DropRate { get; init; }
    public double DuplicateRate { get; init; }
    public double CrashRate { get; init; }
    public double RestartRate { get; init; }
    public double PartitionRate { get; init; }
    public double HealRate { get; init; }
    public double CrashMidReadyRate { get; init; }
    public double MembershipRate { get; init; }
    public double TransferRate { get; init; }
    public double CompactRate { get; init; }

    /// <summary>A replica's disk loses entries it had acknowledged and recorded as committed (see SimCluster.LoseTail).</summary>
    public double LostTailRate { get; init; }
    public double ProposeRate { get; init; } = 0.3;
    public double ReadRate { get; init; } = 0.15;
    public bool LeaseReads { get; init; }
    public bool PreVote { get; init; } = true;
    public bool CheckQuorum { get; init; } = true;

    /// <summary>A Ready's write takes a few steps, and the host keeps stepping the core meanwhile (see SimCluster.ProcessReady).</summary>
    public bool AsyncWrites { get; init; }

    /// <summary>Quiet leaders heartbeat every 4 ticks instead of 2 (RaftOptions.QuietHeartbeatTicks).</summary>
    public bool QuietHeartbeats { get; init; }

    /// <summary>
    /// While faults run, a replica's timer is sometimes late: its ticks are held for a few periods and then handed to
    /// the core in one call (RaftNode.Tick(int)), as the replica actor does after a stall. Messages keep arriving
    /// meanwhile. Only with ReadIndex reads: a leader whose clock runs slow breaks the lease's assumption by design.
    /// </summary>
    public bool LateTicks { get; init; }

    /// <summary>Liveness bound once every fault is healed: a leader must commit a proposal within this many steps.</summary>
    public int LivenessSteps { get; init; } = 2500;

    public static SimScenario FromSeed(int seed)
    {
        var r = new Random(seed * 7919 + 17);
        double Pick(params double[] options) => options[r.Next(options.Length)];
        var scenario = new SimScenario
        {
            Seed = seed,
            InitialVoters = new[] { 1, 3, 3, 3, 5 }[r.Next(5)],
            DropRate = Pick(0, 0.02, 0.1, 0.3),
            DuplicateRate = Pick(0, 0.02, 0.1),
            CrashRate = Pick(0, 0.0005, 0.002),
            RestartRate = Pick(0.002, 0.01),
            PartitionRate = Pick(0, 0.0005, 0.002),
            HealRate = Pick(0.002, 0.01),
            CrashMidReadyRate = Pick(0, 0.0005, 0.002),
            MembershipRate = Pick(0, 0.002, 0.01),
            TransferRate = Pick(0, 0.001, 0.005),
            CompactRate = Pick(0, 0.005, 0.02),
            LeaseReads = r.Next(3) == 0,
        };
        // Drawn last, so every other knob of a seed stays what it was before this one existed. Only with a fixed
        // membership: a replica that lost entries refuses candidates that might lack them, so a membership shrunk
        // to two voters, one of them that replica, may rightly elect no one (as a crashed etcd member would not).
        var lostTail = Pick(0, 0, 0.001, 0.003);
        var asyncWrites = r.Next(2) == 0;
        var quietHeartbeats = r.Next(2) == 0;
        var lateTicks = r.Next(2) == 0;
        return scenario with
        {
            LostTailRate = scenario.MembershipRate == 0 ? lostTail : 0, AsyncWrites = asyncWrites, QuietHeartbeats = quietHeartbeats,
            LateTicks = lateTicks && !scenario.LeaseReads,
        };
    }

    public override string ToString() =>
        $"seed={Seed} voters={InitialVoters}/{Replicas} drop={DropRate} dup={DuplicateRate} crash={CrashRate} " +
        $"restart={RestartRate} partition={PartitionRate} heal={HealRate} crashMidReady={CrashMidReadyRate} " +
        $"membership={MembershipRate} transfer={TransferRate} compact={CompactRate} lease={LeaseReads} lostTail={LostTailRate} " +
        $"asyncWrites={AsyncWrites} quietHeartbeats={QuietHeartbeats} lateTicks={LateTicks}";
}

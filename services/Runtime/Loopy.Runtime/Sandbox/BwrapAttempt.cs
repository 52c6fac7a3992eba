namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The folders of one bwrap attempt, under one root that only the Runtime can write: the working directory and
/// <c>HOME</c> (the agent's), the egress proxy's socket and the generated <c>/etc</c> files.
/// </summary>
internal sealed record BwrapAttempt(string Root)
{
    public static readonly string[] GeneratedEtcFiles = ["passwd", "group", "hosts", "nsswitch.conf"];

    public string WorkingDirectory => Path.Combine(Root, "work");

    public string Home => Path.Combine(Root, "home");

    public string SocketPath => Path.Combine(Root, "egress.sock");

    public string EtcDirectory => Path.Combine(Root, "etc");
}

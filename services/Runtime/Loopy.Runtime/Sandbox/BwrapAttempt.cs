namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The folders of one bwrap attempt, under one root that only the Runtime can write: the working directory and
/// <c>HOME</c> (the agent's), the egress proxy's socket, the generated <c>/etc</c> files and the empty file that hides secrets.
/// </summary>
internal sealed record BwrapAttempt(string Root)
{
    public static readonly string[] GeneratedEtcFiles = ["passwd", "group", "hosts", "nsswitch.conf"];

    public string WorkingDirectory => Path.Combine(Root, "work");

    public string Home => Path.Combine(Root, "home");

    public string SocketPath => Path.Combine(Root, "egress.sock");

    public string EtcDirectory => Path.Combine(Root, "etc");

    /// <summary>An empty, root-owned file of mode 0000 bound over each of the project's secret files.</summary>
    public string HiddenFile => Path.Combine(Root, "hidden");
}

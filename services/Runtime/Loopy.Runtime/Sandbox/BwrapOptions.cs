namespace Loopy.Runtime.Sandbox;

/// <summary>Configuration of the <c>bwrap</c> sandbox provider (section <c>Loopy:Runtime:Bwrap</c>).</summary>
public sealed class BwrapOptions
{
    public const string SectionName = "Loopy:Runtime:Bwrap";

    /// <summary>The bubblewrap binary: a path, or a name looked up on the Runtime's <c>PATH</c>.</summary>
    public string BwrapPath { get; set; } = "bwrap";

    /// <summary>The socat binary bridging the sandbox's <c>127.0.0.1:<see cref="ProxyPort"/></c> to the egress proxy.</summary>
    public string SocatPath { get; set; } = "socat";

    /// <summary>
    /// Where attempt folders are made (each holds the working directory, <c>HOME</c> and the proxy socket);
    /// <c>&lt;temp&gt;/loopy-bwrap</c> when null.
    /// </summary>
    public string? WorkRoot { get; set; }

    /// <summary>
    /// The uid the agent runs as when the Runtime runs as root (it drops to it inside the sandbox with
    /// <c>setpriv</c>); 65532 is the conventional "nonroot" id. A Runtime that is not root runs agents as itself.
    /// </summary>
    public int AgentUid { get; set; } = 65532;

    /// <summary>The gid the agent runs as when the Runtime runs as root.</summary>
    public int AgentGid { get; set; } = 65532;

    /// <summary>
    /// <c>RLIMIT_NPROC</c> of the agent (processes and threads of the agent uid, so shared by the agents running at
    /// once under that uid); stops fork bombs.
    /// </summary>
    public int MaxProcesses { get; set; } = 2048;

    /// <summary>Size of the sandbox's private <c>/tmp</c> (a tmpfs), in bytes.</summary>
    public long TmpSizeBytes { get; set; } = 1L << 30;

    /// <summary>The port of the in-sandbox bridge to the egress proxy; <c>HTTPS_PROXY</c> points at it.</summary>
    public int ProxyPort { get; set; } = 3128;

    /// <summary>
    /// Extra host folders or files made visible read-only at the same path (agent CLIs installed outside
    /// <c>/usr</c>, e.g. <c>&lt;repo&gt;/.loopy/tools</c>). Missing paths fail preflight.
    /// </summary>
    public IList<string> ReadOnlyBinds { get; } = [];

    /// <summary>
    /// Binds the folder of an absolute <c>argv[0]</c> read-only (for a <c>node_modules</c> path the whole
    /// <c>node_modules</c> folder), unless that folder is the project root or one of its ancestors.
    /// </summary>
    public bool BindCommandDirectory { get; set; } = true;
}

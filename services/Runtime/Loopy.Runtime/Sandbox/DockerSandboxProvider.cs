namespace Loopy.Runtime.Sandbox;

/// <summary>The <c>docker</c> provider: not available in this runtime (no Docker on these hosts).</summary>
public sealed class DockerSandboxProvider() : UnavailableSandboxProvider("docker");

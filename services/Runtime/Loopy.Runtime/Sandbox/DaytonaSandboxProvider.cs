namespace Loopy.Runtime.Sandbox;

/// <summary>The <c>daytona</c> provider: not available in this runtime.</summary>
public sealed class DaytonaSandboxProvider() : UnavailableSandboxProvider("daytona");

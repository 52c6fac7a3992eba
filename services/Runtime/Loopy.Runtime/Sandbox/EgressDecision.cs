using System.Net;

namespace Loopy.Runtime.Sandbox;

/// <summary>What the egress proxy decided for one request: allowed (with the addresses it may connect to) or why not.</summary>
public sealed record EgressDecision(bool Allowed, string Reason, IReadOnlyList<IPAddress> Addresses)
{
    public static EgressDecision Deny(string reason) => new(false, reason, []);
}

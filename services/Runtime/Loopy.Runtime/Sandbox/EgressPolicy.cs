using System.Net;
using System.Net.Sockets;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The egress allowlist of one sandbox attempt (AUTHORING.md §2.2 <c>network:</c>). A request is allowed when its
/// host and port match an entry of the sandbox's <c>network:</c> list, the harness's hosts (the model API) or the
/// <c>repos:</c> hosts. The proxy resolves names itself and connects only to public addresses, so a name that resolves
/// to a loopback, private, link-local (<c>169.254.169.254</c>) or otherwise special address is refused, whatever DNS
/// says at the moment (DNS rebinding); only an entry that is itself a literal IP address or <c>localhost</c> reaches
/// such an address. An empty <c>network:</c> list means unrestricted egress: any host on any port, public addresses only.
/// </summary>
public sealed class EgressPolicy
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public EgressPolicy(IEnumerable<EgressRule> rules, bool allowAnyPublicHost, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Rules = [.. rules];
        AllowsAnyPublicHost = allowAnyPublicHost;
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    public IReadOnlyList<EgressRule> Rules { get; }

    /// <summary>True for an empty <c>network:</c> list: every public host is allowed, on any port.</summary>
    public bool AllowsAnyPublicHost { get; }

    /// <summary>The policy of <paramref name="request"/>: its <c>network:</c> entries, harness hosts and repos hosts.</summary>
    public static EgressPolicy For(SandboxRequest request, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entries = request.Sandbox.Network
            .Concat(request.HarnessHosts)
            .Concat(request.Sandbox.Repos.Select(r => RepoHost(r.Url)).OfType<string>());
        var rules = entries.Select(EgressRule.TryParse).OfType<EgressRule>().Distinct();
        return new EgressPolicy(rules, allowAnyPublicHost: request.Sandbox.Network.Count == 0, resolve);
    }

    /// <summary>The entries of a <c>network:</c> list that are not a host, <c>*.domain</c> or IP address (with an optional port).</summary>
    public static IReadOnlyList<string> InvalidEntries(IEnumerable<string> entries) =>
        [.. entries.Where(e => EgressRule.TryParse(e) is null)];

    /// <summary>The host a <c>repos:</c> entry is cloned from (<c>owner/name</c> is GitHub), or null when there is none.</summary>
    public static string? RepoHost(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
        {
            return uri.Host;
        }

        // scp-like git@host:owner/name
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (at >= 0 && colon > at)
        {
            return url[(at + 1)..colon];
        }

        return url.Count(c => c == '/') == 1 && !url.Contains(':', StringComparison.Ordinal) ? "github.com" : null;
    }

    /// <summary>Decides a request for <paramref name="host"/>:<paramref name="port"/>, resolving the name when needed.</summary>
    public async Task<EgressDecision> DecideAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        if (name.Length == 0 || port is <= 0 or > 65535)
        {
            return EgressDecision.Deny("malformed target");
        }

        var literal = IPAddress.TryParse(name, out var parsed) ? EgressRule.Normalise(parsed) : null;
        var rule = Rules.FirstOrDefault(r => r.Matches(name, literal, port));
        if (rule is null && !AllowsAnyPublicHost)
        {
            return EgressDecision.Deny("not on the allowlist");
        }

        if (rule is { IsTrustedLiteral: true })
        {
            return literal is not null
                ? new EgressDecision(true, $"allowed by {rule}", [literal])
                : new EgressDecision(true, $"allowed by {rule}", [IPAddress.Loopback, IPAddress.IPv6Loopback]);
        }

        var reason = rule is null ? "unrestricted egress" : $"allowed by {rule}";
        IPAddress[] addresses;
        if (literal is not null)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(name, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                return EgressDecision.Deny($"cannot resolve: {ex.SocketErrorCode}");
            }
        }

        var usable = addresses.Select(EgressRule.Normalise).Where(IsPublic).Distinct().ToList();
        if (usable.Count == 0)
        {
            return addresses.Length == 0
                ? EgressDecision.Deny("resolves to no address")
                : EgressDecision.Deny($"resolves only to non-public addresses ({string.Join(", ", addresses.Select(a => a.ToString()))})");
        }

        return new EgressDecision(true, reason, usable);
    }

    /// <summary>False for loopback, private, shared (CGNAT), link-local, multicast, reserved and documentation addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = EgressRule.Normalise(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0
                || b[0] == 10
                || b[0] == 127
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 192 && b[1] == 0 && b[2] == 2)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 198 && (b[1] & 0xFE) == 18)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)
                || b[0] >= 224);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal
            || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        var v6 = address.GetAddressBytes();
        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            // 6to4 (2002::/16): the IPv4 address it embeds decides.
            return IsPublic(new IPAddress(v6[2..6]));
        }

        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            // NAT64 (64:ff9b::/96): the IPv4 address it embeds decides.
            return IsPublic(new IPAddress(v6[12..]));
        }

        // ::/96 (unspecified and IPv4-compatible), 2001:db8::/32 (documentation), 2001::/32 (Teredo).
        return v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) >= 0
            && !(v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8)
            && !(v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x00 && v6[3] == 0x00);
    }
}

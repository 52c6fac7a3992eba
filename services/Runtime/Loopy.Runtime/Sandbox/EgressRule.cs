using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// One parsed egress allowlist entry: a host name (<c>api.example.com</c>), a wildcard (<c>*.example.com</c>: any
/// subdomain at any depth, not the apex), a literal IP address (<c>127.0.0.1</c>, <c>[::1]</c>) or <c>localhost</c>,
/// each optionally with <c>:port</c>. Without a port the entry allows ports 443 and 80.
/// </summary>
public sealed record EgressRule
{
    private static readonly int[] DefaultPorts = [443, 80];

    private EgressRule(string host, int? port, bool wildcard, IPAddress? address)
    {
        Host = host;
        Port = port;
        IsWildcard = wildcard;
        Address = address;
    }

    /// <summary>The host, lower case; for a wildcard the suffix without <c>*.</c>.</summary>
    public string Host { get; }

    /// <summary>The one port allowed, or null for 443 and 80.</summary>
    public int? Port { get; }

    public bool IsWildcard { get; }

    /// <summary>Set when the entry is a literal IP address.</summary>
    public IPAddress? Address { get; }

    /// <summary>
    /// Literal addresses and <c>localhost</c> are trusted as written: their destinations are not checked against the
    /// private ranges (that is how a loopback test server or model mock is reached). Names are.
    /// </summary>
    public bool IsTrustedLiteral => Address is not null || Host == "localhost";

    /// <summary>Parses an entry; null when it is not one of the accepted forms.</summary>
    public static EgressRule? TryParse(string? entry)
    {
        var text = entry?.Trim().TrimEnd('.').ToLowerInvariant();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        string host;
        int? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':') || ParsePort(rest[1..]) is not { } bracketPort)
                {
                    return null;
                }

                port = bracketPort;
            }

            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? new EgressRule(v6.ToString(), port, wildcard: false, v6)
                : null;
        }

        if (text.Count(c => c == ':') > 1)
        {
            // A bare IPv6 address (no port possible without brackets).
            return IPAddress.TryParse(text, out var bare) && bare.AddressFamily == AddressFamily.InterNetworkV6
                ? new EgressRule(bare.ToString(), null, wildcard: false, bare)
                : null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (ParsePort(text[(colon + 1)..]) is not { } namedPort)
            {
                return null;
            }

            port = namedPort;
            text = text[..colon];
        }

        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        host = wildcard ? text[2..] : text;
        if (!IsHostName(host))
        {
            return null;
        }

        if (!wildcard && IsIPv4Literal(host) && IPAddress.TryParse(host, out var v4))
        {
            return new EgressRule(v4.ToString(), port, wildcard: false, v4);
        }

        return wildcard && IsIPv4Literal(host) ? null : new EgressRule(host, port, wildcard, address: null);
    }

    /// <summary>Whether a request for <paramref name="host"/> (normalised, lower case) on <paramref name="port"/> matches.</summary>
    public bool Matches(string host, IPAddress? literal, int port)
    {
        if (Port is { } only ? only != port : !DefaultPorts.Contains(port))
        {
            return false;
        }

        if (Address is not null)
        {
            return literal is not null && Normalise(literal).Equals(Normalise(Address));
        }

        if (literal is not null)
        {
            return false;
        }

        return IsWildcard
            ? host.EndsWith("." + Host, StringComparison.Ordinal)
            : host == Host;
    }

    public override string ToString()
    {
        var host = Address?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]" : IsWildcard ? "*." + Host : Host;
        return Port is { } port ? $"{host}:{port.ToString(CultureInfo.InvariantCulture)}" : host;
    }

    internal static IPAddress Normalise(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static int? ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;

    private static bool IsIPv4Literal(string host) => host.All(c => char.IsAsciiDigit(c) || c == '.');

    private static bool IsHostName(string host) =>
        host.Length is > 0 and <= 253
        && host.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')
            && label[0] != '-' && label[^1] != '-');
}

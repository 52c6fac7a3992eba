using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// A mock of the two GitHub REST calls a GitHub App makes for an installation token, on loopback:
/// <c>GET /repos/{owner}/{repo}/installation</c> and <c>POST /app/installations/{id}/access_tokens</c>. Every request
/// must carry an app JWT that verifies (RS256) with <see cref="AppKey"/>'s public key and names <see cref="AppId"/>;
/// anything else is a 401, as GitHub answers.
/// </summary>
public sealed class MockGitHubApi : IAsyncDisposable
{
    private WebApplication? _app;
    private int _minted;

    public MockGitHubApi(string appId, RSA appKey)
    {
        AppId = appId;
        AppKey = appKey;
    }

    public string AppId { get; }

    public RSA AppKey { get; }

    /// <summary>Installation id per repository owner; an owner not listed has no installation (404).</summary>
    public ConcurrentDictionary<string, long> Installations { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public string BaseUrl { get; private set; } = string.Empty;

    public int TokensMinted => _minted;

    public ConcurrentQueue<string> Requests { get; } = new();

    public async Task<MockGitHubApi> StartAsync(CancellationToken cancellationToken)
    {
        (_app, var baseUrl) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/repos/{owner}/{repo}/installation", (HttpContext context, string owner, string repo) =>
            {
                Requests.Enqueue($"GET installation {owner}/{repo}");
                if (!Authorized(context))
                {
                    return Results.Json(new { message = "A JSON web token could not be decoded" }, statusCode: 401);
                }

                return Installations.TryGetValue(owner, out var id) ? Results.Json(new { id, account = new { login = owner } }) : Results.Json(new { message = "Not Found" }, statusCode: 404);
            });
            app.MapPost("/app/installations/{id:long}/access_tokens", (HttpContext context, long id) =>
            {
                Requests.Enqueue($"POST access_tokens {id}");
                if (!Authorized(context))
                {
                    return Results.Json(new { message = "A JSON web token could not be decoded" }, statusCode: 401);
                }

                if (!Installations.Values.Contains(id))
                {
                    return Results.Json(new { message = "Not Found" }, statusCode: 404);
                }

                var n = Interlocked.Increment(ref _minted);
                return Results.Json(new { token = $"ghs_mock{id}x{n}", expires_at = DateTimeOffset.UtcNow.Add(TokenLifetime).ToString("O") }, statusCode: 201);
            });
        }, cancellationToken);
        BaseUrl = baseUrl;
        return this;
    }

    /// <summary>The app JWT verifies with the app's public key, names the app and lives at most ten minutes.</summary>
    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!AppKey.VerifyData(signed, FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return false;
        }

        using var jwtHeader = JsonDocument.Parse(FromBase64Url(parts[0]));
        using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
        var iat = payload.RootElement.GetProperty("iat").GetInt64();
        var exp = payload.RootElement.GetProperty("exp").GetInt64();
        return jwtHeader.RootElement.GetProperty("alg").GetString() == "RS256"
            && payload.RootElement.GetProperty("iss").GetString() == AppId
            && exp > iat && exp - iat <= 600;
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>An agent with <c>defaults.agent</c> applied.</summary>
public sealed record ManifestAgent
{
    [JsonPropertyName("sandbox")]
    public required string Sandbox { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("harness")]
    public required string Harness { get; init; }

    [JsonPropertyName("skills")]
    public IReadOnlyList<string> Skills { get; init; } = [];

    /// <summary><c>exec</c> only: an argv array, or one string run as <c>sh -c</c>; JSON null otherwise.</summary>
    [JsonPropertyName("command")]
    public JsonElement? Command { get; init; }

    /// <summary>The argv to run: the array as is, a string as <c>sh -c &lt;string&gt;</c>, empty when there is no command.</summary>
    public IReadOnlyList<string> CommandArgv()
    {
        if (Command is not { } command)
        {
            return [];
        }

        return command.ValueKind switch
        {
            JsonValueKind.String => ["sh", "-c", command.GetString()!],
            JsonValueKind.Array => command.EnumerateArray().Select(e => e.ToString()).ToList(),
            _ => [],
        };
    }
}

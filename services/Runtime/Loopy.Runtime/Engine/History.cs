using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Runtime.State;

namespace Loopy.Runtime.Engine;

/// <summary>Builds history entries.</summary>
public static class History
{
    public static HistoryRecord Entry(string runId, string kind, string? stepId, JsonObject payload, long at) =>
        new() { RunId = runId, Kind = kind, StepId = stepId, Payload = payload.ToJsonString(JsonOptions), At = at };

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

using System.Text.Json.Nodes;

namespace Loopy.SensorHost.Mapping;

/// <summary>An event a sensor produced, before the Receiver validates it; <see cref="Id"/> is the sensor's own id, if it gave one.</summary>
public sealed record CandidateEvent(string Name, JsonObject Fields, string? Id = null);

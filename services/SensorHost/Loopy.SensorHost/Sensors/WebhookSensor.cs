using Loopy.SensorHost.Mapping;

namespace Loopy.SensorHost.Sensors;

/// <summary>One sensor on a webhook path: its name, the event it emits, and what maps a delivery to events.</summary>
public sealed record WebhookSensor(string Name, string Emits, IWebhookMapper Mapper, bool IsExec);

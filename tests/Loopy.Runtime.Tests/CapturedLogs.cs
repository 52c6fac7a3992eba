using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Tests;

/// <summary>A logger provider that keeps every formatted message (Information and above) a host logs.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>The same messages with their level and category.</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var message = formatter(state, exception) + (exception is null ? string.Empty : " " + exception);
                owner.Messages.Enqueue(message);
                owner.Entries.Enqueue((logLevel, category, message));
            }
        }
    }
}

using Loopy.AppHost;

// dotnet run --project Loopy.AppHost [-- --servers standalone|local|external] [--project DIR] [--runtime-replicas N]
var options = AppHostOptions.Parse(args, Console.Error);
if (options is null)
{
    return 2;
}

using var shutdown = new ShutdownSignal();
var console = new ConsoleSink(Console.Out);
return options.Servers == ServersMode.Standalone
    ? await StandaloneHost.RunAsync(options, console, shutdown.Token)
    : await new Launcher(options, TimeProvider.System, console).RunAsync(shutdown.Token);

using Loopy.AppHost;

// dotnet run --project Loopy.AppHost [-- --runtime-replicas N] [--servers local|external]
var options = AppHostOptions.Parse(args, Console.Error);
if (options is null)
{
    return 2;
}

using var shutdown = new ShutdownSignal();
var launcher = new Launcher(options, TimeProvider.System);
return await launcher.RunAsync(shutdown.Token);

return await Loopy.Cli.LoopyCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

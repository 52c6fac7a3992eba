Console.Error.WriteLine("loopy: the command-line tool is being built; no commands yet.");
return 2;

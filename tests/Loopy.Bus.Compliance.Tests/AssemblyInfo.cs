// The broker-down tests stop and restart the shared servers: no other test of this assembly may run meanwhile.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

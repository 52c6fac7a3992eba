using System.Runtime.InteropServices;

namespace Loopy.Runtime.Sandbox;

/// <summary>The one libc call the sandbox needs that .NET does not offer: changing a file's owner.</summary>
internal static class NativeMethods
{
    [DllImport("libc", EntryPoint = "lchown", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Lchown(string path, int owner, int group);
}

using System.Globalization;
using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;

namespace Loopy.Compiler.Compilation;

/// <summary>Stage 3, the <c>after:</c> graph: E102–E106 (iterative, so a 1,000-step cycle cannot overflow the stack).</summary>
internal sealed partial class Compilation
{
    private void CheckGraph(string workflow, List<StepDef> steps)
    {
        var firstFile = steps[0].File;
        var live = steps.Where(s => !s.Broken).ToList();
        // A step with both on: and after: is E104's alone; it counts as an entry only when no step has on: alone.
        var entries = live.Count(s => s.HasOn && !s.HasAfter);
        var both = live.Count(s => s.HasOn && s.HasAfter);
        if (entries == 0 && both > 0)
        {
            entries = -1;
        }

        if (entries > 1 || (entries == 0 && live.Count == steps.Count))
        {
            Report(DiagnosticCatalog.E102, firstFile, 1,
                $"workflow '{workflow}' must have exactly one entry (on:) step; found {entries.ToString(CultureInfo.InvariantCulture)}");
        }

        var names = new HashSet<string>(steps.Select(s => s.Name), StringComparer.Ordinal);
        var byName = live.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var step in live)
        {
            if (step.HasOn && step.HasAfter)
            {
                Report(DiagnosticCatalog.E104, step.File, 1, $"step '{step.Id}' has both on: and after: (mutually exclusive)");
            }
            else if (!step.HasOn && !step.HasAfter)
            {
                Report(DiagnosticCatalog.E103, step.File, 1, $"orphan step '{step.Id}' — neither on: nor after:");
            }

            foreach (var target in step.After.Distinct(StringComparer.Ordinal))
            {
                if (!names.Contains(target))
                {
                    Report(DiagnosticCatalog.E105, step.File, step.AfterLine,
                        $"step '{step.Id}' has after: '{target}', which is not a step in '{workflow}'");
                }
            }
        }

        // successors: p -> s when s has after: p (run order)
        var successors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var step in live)
        {
            successors.TryAdd(step.Name, []);
        }

        foreach (var step in live)
        {
            foreach (var pred in step.After.Distinct(StringComparer.Ordinal))
            {
                if (byName.ContainsKey(pred))
                {
                    successors[pred].Add(step.Name);
                }
            }
        }

        foreach (var list in successors.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }

        foreach (var component in StronglyConnected(successors))
        {
            var start = component.Min(StringComparer.Ordinal)!;
            var isCycle = component.Count > 1 || successors[start].Contains(start);
            if (!isCycle)
            {
                continue;
            }

            var path = ShortestCycle(start, successors, component);
            var files = component.Select(n => byName[n].File).Min(StringComparer.Ordinal)!;
            Report(DiagnosticCatalog.E106, files, 1, $"after: cycle in workflow '{workflow}': {string.Join(" -> ", path)}");
        }
    }

    private static List<string> ShortestCycle(string start, Dictionary<string, List<string>> successors, HashSet<string> component)
    {
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(start);
        var visited = new HashSet<string>(StringComparer.Ordinal) { start };
        string? last = null;
        while (queue.Count > 0 && last is null)
        {
            var node = queue.Dequeue();
            foreach (var next in successors[node])
            {
                if (!component.Contains(next))
                {
                    continue;
                }

                if (next == start)
                {
                    last = node;
                    break;
                }

                if (visited.Add(next))
                {
                    parent[next] = node;
                    queue.Enqueue(next);
                }
            }
        }

        var path = new List<string> { start };
        var cursor = last!;
        var back = new List<string>();
        while (cursor != start)
        {
            back.Add(cursor);
            cursor = parent[cursor];
        }

        back.Reverse();
        path.AddRange(back);
        path.Add(start);
        return path;
    }

    /// <summary>Tarjan's algorithm with an explicit stack.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, List<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<HashSet<string>>();
        var counter = 0;
        foreach (var root in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (index.ContainsKey(root))
            {
                continue;
            }

            var work = new Stack<(string Node, int Child)>();
            work.Push((root, 0));
            while (work.Count > 0)
            {
                var (node, child) = work.Pop();
                if (child == 0)
                {
                    index[node] = low[node] = counter++;
                    stack.Push(node);
                    onStack.Add(node);
                }
                else
                {
                    var previous = graph[node][child - 1];
                    low[node] = Math.Min(low[node], low[previous]);
                }

                var pushed = false;
                var edges = graph[node];
                for (var i = child; i < edges.Count; i++)
                {
                    var next = edges[i];
                    if (!index.ContainsKey(next))
                    {
                        work.Push((node, i + 1));
                        work.Push((next, 0));
                        pushed = true;
                        break;
                    }

                    if (onStack.Contains(next))
                    {
                        low[node] = Math.Min(low[node], index[next]);
                    }
                }

                if (pushed)
                {
                    continue;
                }

                if (low[node] == index[node])
                {
                    var component = new HashSet<string>(StringComparer.Ordinal);
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    result.Add(component);
                }
            }
        }

        return result;
    }
}

using System.Runtime.ExceptionServices;
using MassTransit;

namespace Loopy.Bus.RabbitMq;

/// <summary>
/// First filter of the error pipe: a fault caused by a stopping subscription is rethrown to the
/// transport (which nacks with requeue) instead of being moved to the <c>_error</c> queue.
/// </summary>
internal sealed class RequeueWhenStoppingFilter : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (context.Exception is SubscriptionStoppingException || context.Exception.GetBaseException() is SubscriptionStoppingException)
        {
            ExceptionDispatchInfo.Capture(context.Exception).Throw();
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("loopyRequeueWhenStopping");
}

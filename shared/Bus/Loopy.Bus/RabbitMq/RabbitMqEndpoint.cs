namespace Loopy.Bus.RabbitMq;

/// <summary>The parts of an <c>amqp://user:pass@host:port/vhost</c> connection string.</summary>
internal sealed record RabbitMqEndpoint(string Host, int Port, string VirtualHost, string UserName, string Password)
{
    public static RabbitMqEndpoint Parse(string connectionString)
    {
        var uri = new Uri(connectionString);
        var user = "guest";
        var password = "guest";
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
        }

        var path = uri.AbsolutePath.TrimStart('/');
        var vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        return new RabbitMqEndpoint(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port, vhost, user, password);
    }
}

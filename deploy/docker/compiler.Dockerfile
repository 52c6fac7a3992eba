# syntax=docker/dockerfile:1
# Loopy Compiler service: recompiles the mounted project when it changes and activates each good manifest
# version in Postgres, where Receivers and Runtimes (Loopy__Manifest__Source=postgres) pick it up.
#   docker build -f deploy/docker/compiler.Dockerfile -t loopy-compiler .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json nuget.config Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY shared/ shared/
COPY Loopy.ServiceDefaults/ Loopy.ServiceDefaults/
COPY services/Compiler/ services/Compiler/
RUN dotnet publish services/Compiler/Loopy.Compiler.Host/Loopy.Compiler.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/alive || exit 1
ENTRYPOINT ["dotnet", "Loopy.Compiler.Host.dll"]

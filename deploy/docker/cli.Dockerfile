# syntax=docker/dockerfile:1
# The loopy CLI as a one-shot job (k8s init containers): compiles the mounted project into a manifest file.
#   docker build -f deploy/docker/cli.Dockerfile -t loopy-cli .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json nuget.config Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
# The CLI's trigger and run commands compose the services in process (Loopy.Standalone), so it needs them all.
COPY shared/ shared/
COPY Loopy.ServiceDefaults/ Loopy.ServiceDefaults/
COPY Loopy.Standalone/ Loopy.Standalone/
COPY services/ services/
RUN dotnet publish services/Compiler/Loopy.Cli/Loopy.Cli.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
ENTRYPOINT ["dotnet", "loopy.dll"]
CMD ["compile", "/project", "--out", "/manifest/manifest.json"]

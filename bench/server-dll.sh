# Sourced by the bench scripts that run a real server, from the repository's root: sets server_dll to SERVER_DLL (another
# build's Tessera.Server.dll, for an A/B of two builds) or to the Release build of this tree, built now.
if [ -n "${SERVER_DLL:-}" ]; then
  server_dll=$(realpath "$SERVER_DLL")
else
  dotnet build src/Tessera.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
  server_dll=$PWD/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll
fi

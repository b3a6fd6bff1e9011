#!/usr/bin/env bash
# Builds Tessera's container image with the .NET SDK's container support (dotnet publish -t:PublishContainer)
# into an OCI archive, with no Docker engine and no registry but Debian's (ADR 0014, "Container and service").
#
#   scripts/container-image.sh OUT.tar     (an OCI image layout, uncompressed; its layers are gzipped)
#
# The SDK reads its base image from a registry only, and mcr.microsoft.com may be out of reach. So the base is
# made here from Debian packages (libc6, libgcc-s1, libstdc++6, libssl3, zlib1g, libicu72, tzdata, unpacked
# with dpkg-deb: the runtime's native dependencies and nothing else: no shell, no package manager), with an
# `app` user (UID 1654, as Microsoft's images) and /data owned by it; it is pushed with skopeo to a
# throwaway docker-registry on loopback, and the server is published self-contained on top of it.
# Where mcr.microsoft.com is reachable, `dotnet publish src/Tessera.Server -t:PublishContainer` alone does the
# same on Microsoft's aspnet image; the user, port, environment and entrypoint come from Tessera.Server.csproj
# either way. Needs (Debian, installed by scripts/test.sh as root): docker-registry, skopeo, apt-get.
set -euo pipefail

out=$(realpath -m "${1:?usage: scripts/container-image.sh OUT.tar}")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The base: the runtime's native libraries from Debian packages, an app user, a /data it owns.
mkdir -p "$work/debs" "$work/root"
(cd "$work/debs" && apt-get download -qq libc6 libgcc-s1 libstdc++6 libssl3 zlib1g libicu72 tzdata 2>/dev/null)
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
mkdir -p "$work/root/etc/ssl/certs" "$work/root/tmp" "$work/root/data/keys" "$work/root/home/app"
chmod 1777 "$work/root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' > "$work/root/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$work/root/etc/group"
# Outbound HTTPS (webhooks, GitHub's leak keys) needs the CA bundle; Debian's ca-certificates builds it in a
# maintainer script that dpkg-deb -x does not run, so the host's bundle (from the same package) is taken.
cp /etc/ssl/certs/ca-certificates.crt "$work/root/etc/ssl/certs/"
chown -R 1654:1654 "$work/root/data" "$work/root/home/app"
chmod 700 "$work/root/data"
tar -C "$work/root" --numeric-owner -czf "$work/base.tar.gz" .

# 2. A registry on loopback for the SDK to read the base from.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  sleep 0.2
done
base="127.0.0.1:$port/tessera-base:bookworm"
skopeo copy -q --insecure-policy --dest-tls-verify=false "tarball:$work/base.tar.gz" "docker://$base"

# 3. The server on top, published from a copy of the sources so that the tree's own bin/ and obj/ (which a
#    running test suite may be reading) are left alone.
mkdir -p "$work/src"
tar -C "$repo" --exclude=bin --exclude=obj -cf - global.json Directory.Build.props Directory.Packages.props src | tar -C "$work/src" -xf -
DOTNET_CONTAINER_INSECURE_REGISTRIES="127.0.0.1:$port" dotnet publish "$work/src/src/Tessera.Server" -c Release -r linux-x64 --self-contained \
  -t:PublishContainer -p:ContainerBaseImage="$base" -p:ContainerArchiveOutputPath="$out" -nologo -v:q -clp:ErrorsOnly
echo "container-image.sh: $out"

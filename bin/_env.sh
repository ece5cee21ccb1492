# Sourced by bin/run and bin/test: find Python 3.11+, create .venv and install the pinned requirements when
# they changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "需要 Python 3.11 或更高版本（Python 3.11+ is required）" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted="$(cat requirements-production.txt requirements.txt | sha256sum | cut -d" " -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$wanted" > "$stamp"
fi
PY="$ROOT/.venv/bin/python"

# Front-end libraries (Apache ECharts) and the fonts (Noto Serif SC, Noto Sans Mongolian) from the npm registry, exactly as package-lock.json pins them; only the
# runtime ones (the map's build tools are devDependencies, see reports/map/build.py).
if ! command -v npm >/dev/null 2>&1; then
  echo "需要 Node.js 和 npm（用于安装 ECharts 和字体）（Node.js with npm is required）" >&2
  exit 1
fi
npm_stamp=node_modules/.package-lock.sha256
npm_wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_wanted" ] || [ ! -f node_modules/echarts/dist/echarts.min.js ] ||
   [ ! -f node_modules/@expo-google-fonts/noto-sans-mongolian/400Regular/NotoSansMongolian_400Regular.ttf ]; then
  npm ci --omit=dev --no-audit --no-fund --loglevel=error
  echo "$npm_wanted" > "$npm_stamp"
fi

# Build BalieDesk for Windows: the frozen program (PyInstaller, onedir) and, when the WiX 3
# toolset is installed, the MSI. Run from a clone, in PowerShell, on 64-bit Windows with
# Python 3.11+ (python.org installer, "py" launcher):
#
#   powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1
#
# Output: installer\dist\baliedesk\ (baliedesk.exe for the command line, baliedeskw.exe for the
# Start-menu shortcuts, _internal\) and installer\dist\baliedesk-<version>-x64.msi.
# Without WiX 3 on this PC: copy installer\dist\baliedesk to a Linux machine as
# installer/dist/baliedesk-windows and run installer/build-msi there (wixl; see installer/README.md).
# NOT VERIFIED: no Windows machine was available when this script was written (see README).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$Root = (Get-Location).Path

# The one place the version lives: baliedesk\__init__.py.
$AppVersion = (Select-String -Path "baliedesk\__init__.py" -Pattern '^__version__\s*=\s*"([^"]+)"').Matches[0].Groups[1].Value
$MsiVersion = ([regex]::Match($AppVersion, '^\d+(\.\d+){0,2}')).Value

# The project's virtualenv with the locked dependencies (as ./dev makes it).
$Py = Join-Path $Root ".venv\Scripts\python.exe"
if (-not (Test-Path $Py)) {
    py -3 -m venv .venv
    & $Py -m pip install --disable-pip-version-check -q -r requirements\lock.txt
    & $Py -m pip install --disable-pip-version-check -q --no-deps -e .
}
& $Py -m pip install --disable-pip-version-check -q (Select-String -Path requirements\lock.txt -Pattern '^pyinstaller(-hooks-contrib)?==').Line

$env:PYTHONPATH = $Root
& $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath installer\dist --workpath installer\build\pyinstaller installer\baliedesk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& installer\dist\baliedesk\baliedesk.exe --version

# The MSI with the WiX 3 toolset (heat, candle, light), when it is installed.
if (Get-Command candle.exe -ErrorAction SilentlyContinue) {
    $Work = "installer\build\msi"
    New-Item -ItemType Directory -Force $Work | Out-Null
    heat.exe dir installer\dist\baliedesk -nologo -cg Payload -dr INSTALLDIR -srd -sreg -ag -var var.PayloadDir -out "$Work\payload.wxs"
    candle.exe -nologo -arch x64 -dVersion="$MsiVersion" -dPayloadDir=installer\dist\baliedesk -dWin64=yes -out "$Work\" installer\windows\baliedesk.wxs "$Work\payload.wxs"
    light.exe -nologo -out "installer\dist\baliedesk-$MsiVersion-x64.msi" "$Work\baliedesk.wixobj" "$Work\payload.wixobj"
    if ($LASTEXITCODE -ne 0) { throw "WiX failed" }
} else {
    Write-Host "WiX 3 not found: copy installer\dist\baliedesk to Linux and run installer/build-msi (see installer/README.md)"
}

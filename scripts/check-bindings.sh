#!/bin/sh
# Validate kernel/bindings/*.yaml with dt-schema (Debian package dt-schema):
# each schema against the meta-schemas (dt-doc-validate), then its examples
# compiled with dtc and checked against it (dt-validate), as the kernel's
# dt_binding_check does. The SPI peripheral schemas we $ref come from
# Debian's linux-source-6.1, unpacked once into a cache outside the repo.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CELLSENSE_CACHE:-$HOME/.cache/cellsense}
KDIR=${KDIR:-/lib/modules/$("$SRC/scripts/kernel-abi.sh")/build}
command -v dt-doc-validate >/dev/null || {
	echo "check-bindings: dt-doc-validate missing: install package dt-schema" >&2
	exit 1
}
spi=$CACHE/bindings/spi
if [ ! -f "$spi/spi-peripheral-props.yaml" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | head -n1)
	[ -n "$tarball" ] || {
		echo "check-bindings: no /usr/src/linux-source-*.tar.xz: install package linux-source-6.1" >&2
		exit 1
	}
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$CACHE/bindings"
	tmp=$(mktemp -d "$CACHE/bindings/spi.XXXXXX")
	tar -xJf "$tarball" -C "$tmp" --strip-components=4 \
		"$top/Documentation/devicetree/bindings/spi"
	rm -rf "$spi"
	mv "$tmp/spi" "$spi"
	rmdir "$tmp"
fi
# dt-common headers for the examples: the kernel headers of the build target
inc=$(readlink -f "$KDIR/include")
[ -d "$inc/dt-bindings" ] || inc=$(ls -d /usr/src/linux-headers-*-common/include | head -n1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/schemas"
cp -r "$spi" "$work/schemas/spi"
st=0
for y in "$SRC"/kernel/bindings/*.yaml; do
	# place the schema where its $id says it lives
	rel=$(sed -n 's|^\$id: http://devicetree.org/schemas/\(.*\)#$|\1|p' "$y")
	[ -n "$rel" ] || { echo "check-bindings: $y: no \$id" >&2; st=1; continue; }
	mkdir -p "$work/schemas/$(dirname "$rel")"
	cp "$y" "$work/schemas/$rel"
done
for y in "$SRC"/kernel/bindings/*.yaml; do
	rel=$(sed -n 's|^\$id: http://devicetree.org/schemas/\(.*\)#$|\1|p' "$y")
	name=$(basename "$y" .yaml)
	if ! dt-doc-validate -u "$work/schemas" "$work/schemas/$rel"; then
		echo "FAIL $name: schema"; st=1; continue
	fi
	dt-mk-schema -j "$work/schemas" >"$work/processed.json"
	dt-extract-example "$work/schemas/$rel" >"$work/$name.dts"
	cpp -P -nostdinc -I "$inc" -undef -x assembler-with-cpp \
		"$work/$name.dts" "$work/$name.pp.dts"
	if ! dtc -q -I dts -O dtb -o "$work/$name.dtb" "$work/$name.pp.dts"; then
		echo "FAIL $name: example does not compile"; st=1; continue
	fi
	if ! dt-validate -s "$work/processed.json" "$work/$name.dtb" 2>&1 |
		tee "$work/$name.out" | grep -q . ; then
		echo "ok   $name: schema and example valid"
	else
		cat "$work/$name.out"
		echo "FAIL $name: example"; st=1
	fi
done
exit $st

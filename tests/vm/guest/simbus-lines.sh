#!/bin/sh
# simbus-lines.sh - the sim bus core alone: its gpio_chip is seen by libgpiod
# with the named lines, actuator outputs set with gpioset read back with
# gpioget and in sysfs, data-ready lines refuse to be driven; boards appear
# as subdirectories and go with their modules.
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim

load_cellsense cellsense_simbus || exit 1
check sim-dir test -d $SIM

det=$(gpiodetect 2>&1)
expect_match gpiodetect 'cellsense-sim.*\(9 lines\)' "$det"
chip=$(echo "$det" | sed -n 's/^\(gpiochip[0-9]*\) \[cellsense-sim\].*/\1/p')
info=$(gpioinfo "$chip" 2>&1)
for l in fbg-drdy us-drdy re-drdy us-trigger re-sync-reset actuator0 \
	actuator1 actuator2 actuator3; do
	expect_match "line-$l" "\"$l\"" "$info"
done
expect_eq gpiofind "$chip 5" "$(gpiofind actuator0)"

# actuator2 = offset 7: set, read back (libgpiod and sysfs), clear
check gpioset-1 gpioset "$chip" 7=1
expect_eq sysfs-actuator2-1 1 "$(cat $SIM/actuator2)"
expect_eq gpioget-1 1 "$(gpioget "$chip" 7)"
expect_eq others-0 "0 0 0" "$(cat $SIM/actuator0 $SIM/actuator1 $SIM/actuator3 | tr '\n' ' ' | sed 's/ $//')"
check gpioset-0 gpioset "$chip" 7=0
expect_eq sysfs-actuator2-0 0 "$(cat $SIM/actuator2)"
expect_eq gpioget-0 0 "$(gpioget "$chip" 7)"
expect_match lines-table '^7 actuator2 out 0$' "$(cat $SIM/lines)"
check drdy-not-output sh -c "! gpioset $chip 0=1"

# A board comes and goes with its module
load_cellsense cellsense_sim_fbg || exit 1
check board-dir test -r $SIM/fbg/fault
expect_eq fault-default none "$(cat $SIM/fbg/fault)"
check rmmod-simbus-busy sh -c "! rmmod cellsense_simbus"
check rmmod-board rmmod cellsense_sim_fbg
check board-dir-gone test ! -e $SIM/fbg
check rmmod-simbus rmmod cellsense_simbus
check sim-gone test ! -e $SIM
check dmesg-clean sh -c "! dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace'"

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cellsense simbus: the API between the simulator core (cellsense_simbus.ko)
 * and the simulated front-end boards (cellsense_sim_<board>.ko).
 *
 * The core owns one platform device "cellsense-sim" with
 *  - a software SPI controller, SIMBUS_NUM_CS chip selects; each chip select
 *    is answered by the board registered on it,
 *  - a gpio_chip "cellsense-sim" with an irq domain and the named lines of
 *    enum simbus_line (data-ready inputs, trigger and actuator outputs).
 *
 * A board module fills a struct simbus_board and calls
 * simbus_register_board(): the core creates the child device
 * /sys/devices/platform/cellsense-sim/<name>/ carrying the board's sysfs
 * groups (plus the core's "fault" attribute), then the spi_device on the
 * board's chip select, wired to its data-ready line. The driver for the
 * board binds to that spi_device as it would on hardware.
 * simbus_unregister_board() undoes it in reverse: the spi_device first (its
 * driver unbinds while the board still answers), then the child device.
 *
 * Context rules: the SPI hooks run in the controller's message pump (may
 * sleep, one message at a time for the whole bus). simbus_set_line() may be
 * called from any context, the interrupt it raises is delivered from a core
 * worker thread, never synchronously. The line_changed hook runs in the
 * context of whoever drives the output (a gpiod consumer, userspace through
 * the GPIO chardev), may sleep, and must not call simbus_* functions that
 * register or unregister.
 */
#ifndef _CELLSENSE_SIMBUS_H
#define _CELLSENSE_SIMBUS_H

#include <linux/device.h>
#include <linux/irq.h>
#include <linux/property.h>
#include <linux/spi/spi.h>
#include <linux/types.h>

/* Chip selects of the sim's SPI controller, one board each */
enum simbus_cs {
	SIMBUS_CS_FBG,		/* optical-fibre interrogator */
	SIMBUS_CS_US,		/* ultrasonic digitiser */
	SIMBUS_CS_RE,		/* reference-electrode ADC (ADS131M04) */
	SIMBUS_CS_SPARE,
	SIMBUS_NUM_CS,
};

/*
 * Lines of the gpio_chip "cellsense-sim", in offset order. Inputs (driven by
 * a board with simbus_set_line(), interrupt-capable) come first. Outputs
 * latch the last value driven (gpioset) and keep it when the line is read
 * back (gpioget requests it as input: the latch is what reads back), like a
 * latching relay with a feedback contact. A new line: add it here and to
 * simbus_lines[] in core.c.
 */
enum simbus_line {
	SIMBUS_LINE_FBG_DRDY,	/* "fbg-drdy"   in,  IRQ */
	SIMBUS_LINE_US_DRDY,	/* "us-drdy"    in,  IRQ */
	SIMBUS_LINE_RE_DRDY,	/* "re-drdy"    in,  IRQ (active low on the part) */
	SIMBUS_LINE_US_TRIGGER,	/* "us-trigger" out, pulser trigger */
	SIMBUS_LINE_RE_SYNC_RESET, /* "re-sync-reset" out, ADS131M04 SYNC/RESET */
	SIMBUS_LINE_ACTUATOR0,	/* "actuator0"  out */
	SIMBUS_LINE_ACTUATOR1,	/* "actuator1"  out */
	SIMBUS_LINE_ACTUATOR2,	/* "actuator2"  out */
	SIMBUS_LINE_ACTUATOR3,	/* "actuator3"  out */
	SIMBUS_NUM_LINES,
};

/* Faults the core can inject on a board's chip select (sysfs "fault") */
enum simbus_fault {
	SIMBUS_FAULT_NONE,
	SIMBUS_FAULT_TIMEOUT,	/* every transfer fails with -ETIMEDOUT */
	SIMBUS_FAULT_SILENT,	/* MISO stays high (0xff), data-ready dead */
};

struct simbus_board;

struct simbus_board_ops {
	/*
	 * Either a whole-message hook (the board sees every transfer) ...
	 * Return 0 and fill the rx buffers, or a negative errno; the core
	 * sets msg->actual_length and completes the message.
	 */
	int (*message)(struct simbus_board *b, struct spi_message *msg);
	/*
	 * ... or byte hooks: frame_begin at chip-select assertion (start of
	 * a message, and after a transfer with cs_change), byte for each
	 * byte clocked (returns MISO for MOSI @in), frame_end at deassertion.
	 */
	void (*frame_begin)(struct simbus_board *b);
	u8 (*byte)(struct simbus_board *b, u8 in);
	void (*frame_end)(struct simbus_board *b);
	/* An output line in @watch_lines changed to @value (optional) */
	void (*line_changed)(struct simbus_board *b, unsigned int line,
			     int value);
};

struct simbus_board {
	/* Filled by the board module before simbus_register_board() */
	const char *name;		/* sysfs dir and child device name */
	unsigned int cs;		/* enum simbus_cs */
	const struct simbus_board_ops *ops;
	const struct attribute_group **groups;	/* NULL-terminated, or NULL */
	unsigned long watch_lines;	/* BIT(line) of outputs for line_changed */
	/* The spi_device: modalias, properties, speed, mode */
	const char *modalias;
	const struct software_node *swnode;
	u32 max_speed_hz;
	u32 mode;			/* SPI_MODE_x */
	int irq_line;			/* enum simbus_line, or -1 for none */
	unsigned int irq_type;		/* IRQ_TYPE_EDGE_RISING, ... */
	void *priv;			/* simbus_board_priv() returns it */

	/* Owned by the core */
	struct device *dev;		/* the child device, drvdata = priv */
	struct spi_device *spi;
	enum simbus_fault fault;
};

int simbus_register_board(struct simbus_board *b);
void simbus_unregister_board(struct simbus_board *b);

/* A board drives an input line: an interrupt on the edge its driver asked */
void simbus_set_line(struct simbus_board *b, unsigned int line, int value);
/* Current level of any line (outputs: the latched value) */
int simbus_get_line(unsigned int line);

/* In a board's sysfs show/store: the priv of the board owning @dev */
static inline void *simbus_board_priv(struct device *dev)
{
	return dev_get_drvdata(dev);
}

#endif /* _CELLSENSE_SIMBUS_H */

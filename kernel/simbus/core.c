// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellsense simbus core: the bus on which simulated front-end boards sit.
 *
 * One platform device "cellsense-sim" carries a software SPI controller whose
 * chip selects are answered by board models (cellsense_sim_<board>.ko, each
 * registering with simbus_register_board()) and a gpio_chip with its own irq
 * domain: data-ready lines driven by the boards, and output lines (pulser
 * trigger, actuators) driven by drivers or by userspace through libgpiod.
 * Debian's kernel has no gpio-sim or gpio-mockup, hence this chip. The API is
 * simbus.h; kernel/README.md says how to add a board.
 */

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gpio/driver.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "simbus.h"

#define SIMBUS_NAME		"cellsense-sim"
/* How long a transfer to a board with fault=timeout takes to fail */
#define SIMBUS_TIMEOUT_MS	20
#define SIMBUS_MAX_GROUPS	8

struct simbus_line_desc {
	const char *name;
	bool output;
};

static const struct simbus_line_desc simbus_lines[SIMBUS_NUM_LINES] = {
	[SIMBUS_LINE_FBG_DRDY]		= { "fbg-drdy", false },
	[SIMBUS_LINE_US_DRDY]		= { "us-drdy", false },
	[SIMBUS_LINE_RE_DRDY]		= { "re-drdy", false },
	[SIMBUS_LINE_US_TRIGGER]	= { "us-trigger", true },
	[SIMBUS_LINE_RE_SYNC_RESET]	= { "re-sync-reset", true },
	[SIMBUS_LINE_ACTUATOR0]		= { "actuator0", true },
	[SIMBUS_LINE_ACTUATOR1]		= { "actuator1", true },
	[SIMBUS_LINE_ACTUATOR2]		= { "actuator2", true },
	[SIMBUS_LINE_ACTUATOR3]		= { "actuator3", true },
};

struct simbus_child {
	struct device dev;
	struct simbus_board *board;
	const struct attribute_group *groups[SIMBUS_MAX_GROUPS + 2];
};

struct simbus {
	struct device *dev;
	/* Serialises simbus_register_board() / simbus_unregister_board() */
	struct mutex reg_lock;
	/* Protects boards[] against the SPI pump and line_changed calls */
	struct mutex xfer_lock;
	struct simbus_board *boards[SIMBUS_NUM_CS];
	/* Protects the line bitmaps below */
	spinlock_t line_lock;
	unsigned long level;
	unsigned long dir_out;
	unsigned long irq_unmasked;
	unsigned long irq_rising;
	unsigned long irq_falling;
	unsigned long irq_pending;
	struct gpio_chip gc;
	struct fwnode_handle *irq_fwnode;
	struct irq_domain *domain;
	/* Interrupts are delivered (nested, threaded) from this worker */
	struct kthread_worker *irq_worker;
	struct kthread_work irq_work;
	struct spi_controller *ctlr;
	const char *names[SIMBUS_NUM_LINES];
};

/* The one instance, set while the platform device is bound */
static struct simbus *simbus;

/* ---- lines and interrupts ---- */

static void simbus_irq_work(struct kthread_work *work)
{
	struct simbus *sb = container_of(work, struct simbus, irq_work);
	unsigned long pending, flags;
	unsigned int line, virq;

	spin_lock_irqsave(&sb->line_lock, flags);
	pending = sb->irq_pending;
	sb->irq_pending = 0;
	spin_unlock_irqrestore(&sb->line_lock, flags);

	for_each_set_bit(line, &pending, SIMBUS_NUM_LINES) {
		if (!test_bit(line, &sb->irq_unmasked))
			continue;
		virq = irq_find_mapping(sb->domain, line);
		if (virq)
			handle_nested_irq(virq);
	}
}

static bool simbus_update_line(struct simbus *sb, unsigned int line, int value)
{
	unsigned long flags;
	bool old, edge = false;

	spin_lock_irqsave(&sb->line_lock, flags);
	old = test_bit(line, &sb->level);
	if (value)
		set_bit(line, &sb->level);
	else
		clear_bit(line, &sb->level);
	if ((!old && value && test_bit(line, &sb->irq_rising)) ||
	    (old && !value && test_bit(line, &sb->irq_falling))) {
		set_bit(line, &sb->irq_pending);
		edge = true;
	}
	spin_unlock_irqrestore(&sb->line_lock, flags);

	if (edge)
		kthread_queue_work(sb->irq_worker, &sb->irq_work);

	return old != !!value;
}

void simbus_set_line(struct simbus_board *b, unsigned int line, int value)
{
	struct simbus *sb = READ_ONCE(simbus);

	if (!sb || line >= SIMBUS_NUM_LINES || simbus_lines[line].output)
		return;
	/* A board that does not answer does not signal either */
	if (b && READ_ONCE(b->fault) != SIMBUS_FAULT_NONE)
		return;
	simbus_update_line(sb, line, value);
}
EXPORT_SYMBOL_GPL(simbus_set_line);

int simbus_get_line(unsigned int line)
{
	struct simbus *sb = READ_ONCE(simbus);

	if (!sb || line >= SIMBUS_NUM_LINES)
		return -EINVAL;

	return test_bit(line, &sb->level);
}
EXPORT_SYMBOL_GPL(simbus_get_line);

static int simbus_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	struct simbus *sb = gpiochip_get_data(gc);

	return test_bit(offset, &sb->level);
}

static void simbus_gpio_set(struct gpio_chip *gc, unsigned int offset,
			    int value)
{
	struct simbus *sb = gpiochip_get_data(gc);
	struct simbus_board *b;
	unsigned int cs;

	if (!simbus_lines[offset].output)
		return;
	if (!simbus_update_line(sb, offset, value))
		return;

	mutex_lock(&sb->xfer_lock);
	for (cs = 0; cs < SIMBUS_NUM_CS; cs++) {
		b = sb->boards[cs];
		if (b && b->ops->line_changed && (b->watch_lines & BIT(offset)))
			b->ops->line_changed(b, offset, !!value);
	}
	mutex_unlock(&sb->xfer_lock);
}

static int simbus_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct simbus *sb = gpiochip_get_data(gc);

	return test_bit(offset, &sb->dir_out) ? GPIO_LINE_DIRECTION_OUT :
						GPIO_LINE_DIRECTION_IN;
}

static int simbus_gpio_direction_input(struct gpio_chip *gc,
				       unsigned int offset)
{
	struct simbus *sb = gpiochip_get_data(gc);

	/* An output keeps its latch: reading it back shows the state */
	clear_bit(offset, &sb->dir_out);

	return 0;
}

static int simbus_gpio_direction_output(struct gpio_chip *gc,
					unsigned int offset, int value)
{
	struct simbus *sb = gpiochip_get_data(gc);

	if (!simbus_lines[offset].output)
		return -EPERM;
	set_bit(offset, &sb->dir_out);
	simbus_gpio_set(gc, offset, value);

	return 0;
}

static int simbus_gpio_to_irq(struct gpio_chip *gc, unsigned int offset)
{
	struct simbus *sb = gpiochip_get_data(gc);

	if (simbus_lines[offset].output)
		return -ENXIO;

	return irq_create_mapping(sb->domain, offset);
}

static void simbus_irq_mask(struct irq_data *d)
{
	struct simbus *sb = irq_data_get_irq_chip_data(d);

	clear_bit(irqd_to_hwirq(d), &sb->irq_unmasked);
}

static void simbus_irq_unmask(struct irq_data *d)
{
	struct simbus *sb = irq_data_get_irq_chip_data(d);

	set_bit(irqd_to_hwirq(d), &sb->irq_unmasked);
}

static int simbus_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct simbus *sb = irq_data_get_irq_chip_data(d);
	irq_hw_number_t line = irqd_to_hwirq(d);
	bool rising, falling;
	unsigned long flags;

	/* Level types fire on the transition into the active level */
	switch (type & IRQ_TYPE_SENSE_MASK) {
	case IRQ_TYPE_EDGE_RISING:
	case IRQ_TYPE_LEVEL_HIGH:
		rising = true;
		falling = false;
		break;
	case IRQ_TYPE_EDGE_FALLING:
	case IRQ_TYPE_LEVEL_LOW:
		rising = false;
		falling = true;
		break;
	case IRQ_TYPE_EDGE_BOTH:
		rising = true;
		falling = true;
		break;
	default:
		return -EINVAL;
	}

	spin_lock_irqsave(&sb->line_lock, flags);
	if (rising)
		set_bit(line, &sb->irq_rising);
	else
		clear_bit(line, &sb->irq_rising);
	if (falling)
		set_bit(line, &sb->irq_falling);
	else
		clear_bit(line, &sb->irq_falling);
	spin_unlock_irqrestore(&sb->line_lock, flags);

	return 0;
}

static struct irq_chip simbus_irq_chip = {
	.name = SIMBUS_NAME,
	.irq_mask = simbus_irq_mask,
	.irq_unmask = simbus_irq_unmask,
	.irq_set_type = simbus_irq_set_type,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static int simbus_irq_map(struct irq_domain *domain, unsigned int virq,
			  irq_hw_number_t hwirq)
{
	irq_set_chip_data(virq, domain->host_data);
	irq_set_chip_and_handler(virq, &simbus_irq_chip, handle_simple_irq);
	irq_set_nested_thread(virq, true);
	irq_set_noprobe(virq);

	return 0;
}

static void simbus_irq_unmap(struct irq_domain *domain, unsigned int virq)
{
	irq_set_nested_thread(virq, false);
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops simbus_irq_domain_ops = {
	.map = simbus_irq_map,
	.unmap = simbus_irq_unmap,
	.xlate = irq_domain_xlate_twocell,
};

static void simbus_irq_domain_remove(void *data)
{
	struct simbus *sb = data;
	unsigned int line, virq;

	for (line = 0; line < SIMBUS_NUM_LINES; line++) {
		virq = irq_find_mapping(sb->domain, line);
		if (virq)
			irq_dispose_mapping(virq);
	}
	irq_domain_remove(sb->domain);
	irq_domain_free_fwnode(sb->irq_fwnode);
}

static void simbus_irq_worker_destroy(void *data)
{
	struct simbus *sb = data;

	kthread_destroy_worker(sb->irq_worker);
}

static int simbus_setup_gpio(struct simbus *sb)
{
	struct device *dev = sb->dev;
	struct gpio_chip *gc = &sb->gc;
	unsigned int i;
	int ret;

	sb->irq_fwnode = irq_domain_alloc_named_fwnode(SIMBUS_NAME);
	if (!sb->irq_fwnode)
		return -ENOMEM;

	sb->domain = irq_domain_create_linear(sb->irq_fwnode, SIMBUS_NUM_LINES,
					      &simbus_irq_domain_ops, sb);
	if (!sb->domain) {
		irq_domain_free_fwnode(sb->irq_fwnode);
		return -ENOMEM;
	}
	ret = devm_add_action_or_reset(dev, simbus_irq_domain_remove, sb);
	if (ret)
		return ret;

	sb->irq_worker = kthread_create_worker(0, "simbus-irq");
	if (IS_ERR(sb->irq_worker))
		return PTR_ERR(sb->irq_worker);
	kthread_init_work(&sb->irq_work, simbus_irq_work);
	ret = devm_add_action_or_reset(dev, simbus_irq_worker_destroy, sb);
	if (ret)
		return ret;

	for (i = 0; i < SIMBUS_NUM_LINES; i++) {
		sb->names[i] = simbus_lines[i].name;
		if (simbus_lines[i].output)
			set_bit(i, &sb->dir_out);
	}

	gc->label = SIMBUS_NAME;
	gc->parent = dev;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = SIMBUS_NUM_LINES;
	gc->names = sb->names;
	gc->can_sleep = true;
	gc->get = simbus_gpio_get;
	gc->set = simbus_gpio_set;
	gc->get_direction = simbus_gpio_get_direction;
	gc->direction_input = simbus_gpio_direction_input;
	gc->direction_output = simbus_gpio_direction_output;
	gc->to_irq = simbus_gpio_to_irq;

	return devm_gpiochip_add_data(dev, gc, sb);
}

/* ---- SPI controller ---- */

static int simbus_bytes(struct simbus_board *b, struct spi_message *msg)
{
	struct spi_transfer *xfer;
	unsigned int i;
	bool in_frame = false;

	list_for_each_entry(xfer, &msg->transfers, transfer_list) {
		const u8 *tx = xfer->tx_buf;
		u8 *rx = xfer->rx_buf;

		if (!in_frame) {
			if (b->ops->frame_begin)
				b->ops->frame_begin(b);
			in_frame = true;
		}
		for (i = 0; i < xfer->len; i++) {
			u8 out = b->ops->byte(b, tx ? tx[i] : 0);

			if (rx)
				rx[i] = out;
		}
		if (xfer->cs_change &&
		    !list_is_last(&xfer->transfer_list, &msg->transfers)) {
			if (b->ops->frame_end)
				b->ops->frame_end(b);
			in_frame = false;
		}
	}
	if (in_frame && b->ops->frame_end)
		b->ops->frame_end(b);

	return 0;
}

static void simbus_fill_rx(struct spi_message *msg, u8 val)
{
	struct spi_transfer *xfer;

	list_for_each_entry(xfer, &msg->transfers, transfer_list)
		if (xfer->rx_buf)
			memset(xfer->rx_buf, val, xfer->len);
}

static int simbus_transfer_one_message(struct spi_controller *ctlr,
				       struct spi_message *msg)
{
	struct simbus *sb = spi_controller_get_devdata(ctlr);
	struct spi_transfer *xfer;
	struct simbus_board *b;
	unsigned int len = 0;
	int ret = 0;

	list_for_each_entry(xfer, &msg->transfers, transfer_list)
		len += xfer->len;

	mutex_lock(&sb->xfer_lock);
	b = sb->boards[msg->spi->chip_select];
	if (!b) {
		/* Nobody on this chip select: MISO floats high */
		simbus_fill_rx(msg, 0xff);
	} else {
		switch (READ_ONCE(b->fault)) {
		case SIMBUS_FAULT_TIMEOUT:
			ret = -ETIMEDOUT;
			break;
		case SIMBUS_FAULT_SILENT:
			simbus_fill_rx(msg, 0xff);
			break;
		default:
			if (b->ops->message)
				ret = b->ops->message(b, msg);
			else
				ret = simbus_bytes(b, msg);
			break;
		}
	}
	mutex_unlock(&sb->xfer_lock);

	if (ret == -ETIMEDOUT)
		msleep(SIMBUS_TIMEOUT_MS);
	else if (!ret)
		msg->actual_length += len;
	msg->status = ret;
	spi_finalize_current_message(ctlr);

	return ret;
}

static int simbus_setup_spi(struct simbus *sb)
{
	struct device *dev = sb->dev;
	struct spi_controller *ctlr;
	int ret;

	ctlr = devm_spi_alloc_master(dev, 0);
	if (!ctlr)
		return -ENOMEM;

	spi_controller_set_devdata(ctlr, sb);
	ctlr->bus_num = -1;
	ctlr->num_chipselect = SIMBUS_NUM_CS;
	ctlr->mode_bits = SPI_CPOL | SPI_CPHA;
	ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	ctlr->transfer_one_message = simbus_transfer_one_message;

	ret = devm_spi_register_controller(dev, ctlr);
	if (ret)
		return dev_err_probe(dev, ret, "failed to register SPI\n");
	sb->ctlr = ctlr;

	return 0;
}

/* ---- boards ---- */

static const char * const simbus_fault_names[] = {
	[SIMBUS_FAULT_NONE] = "none",
	[SIMBUS_FAULT_TIMEOUT] = "timeout",
	[SIMBUS_FAULT_SILENT] = "silent",
};

static ssize_t fault_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct simbus_child *c = container_of(dev, struct simbus_child, dev);

	return sysfs_emit(buf, "%s\n",
			  simbus_fault_names[READ_ONCE(c->board->fault)]);
}

static ssize_t fault_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct simbus_child *c = container_of(dev, struct simbus_child, dev);
	int i;

	i = sysfs_match_string(simbus_fault_names, buf);
	if (i < 0)
		return i;
	WRITE_ONCE(c->board->fault, i);

	return len;
}
static DEVICE_ATTR_RW(fault);

static struct attribute *simbus_board_attrs[] = {
	&dev_attr_fault.attr,
	NULL
};

static const struct attribute_group simbus_board_group = {
	.attrs = simbus_board_attrs,
};

static void simbus_child_release(struct device *dev)
{
	kfree(container_of(dev, struct simbus_child, dev));
}

static int simbus_add_child(struct simbus *sb, struct simbus_board *b)
{
	struct simbus_child *c;
	unsigned int n = 0;
	int ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;

	c->board = b;
	c->groups[n++] = &simbus_board_group;
	while (b->groups && b->groups[n - 1]) {
		if (n > SIMBUS_MAX_GROUPS) {
			kfree(c);
			return -E2BIG;
		}
		c->groups[n] = b->groups[n - 1];
		n++;
	}

	device_initialize(&c->dev);
	c->dev.parent = sb->dev;
	c->dev.release = simbus_child_release;
	c->dev.groups = c->groups;
	dev_set_drvdata(&c->dev, b->priv);
	ret = dev_set_name(&c->dev, "%s", b->name);
	if (!ret)
		ret = device_add(&c->dev);
	if (ret) {
		put_device(&c->dev);
		return ret;
	}
	b->dev = &c->dev;

	return 0;
}

/**
 * simbus_register_board() - put a board model on the sim's SPI bus
 * @b: the board, filled as simbus.h says
 *
 * Creates /sys/devices/platform/cellsense-sim/<name>/ and the spi_device on
 * chip select @b->cs; a loaded driver for @b->modalias binds to it before
 * this returns, so the board must answer from the moment it is called.
 *
 * Return: 0, -ENODEV without the core, -EBUSY if the chip select is taken.
 */
int simbus_register_board(struct simbus_board *b)
{
	struct simbus *sb = READ_ONCE(simbus);
	struct spi_device *spi;
	int irq = 0;
	int ret;

	if (!sb)
		return -ENODEV;
	if (!b->name || !b->modalias || !b->ops || b->cs >= SIMBUS_NUM_CS ||
	    (!b->ops->message && !b->ops->byte) ||
	    b->irq_line >= SIMBUS_NUM_LINES ||
	    (b->irq_line >= 0 && simbus_lines[b->irq_line].output))
		return -EINVAL;

	mutex_lock(&sb->reg_lock);
	if (sb->boards[b->cs]) {
		ret = -EBUSY;
		goto out;
	}

	b->fault = SIMBUS_FAULT_NONE;
	ret = simbus_add_child(sb, b);
	if (ret)
		goto out;

	mutex_lock(&sb->xfer_lock);
	sb->boards[b->cs] = b;
	mutex_unlock(&sb->xfer_lock);

	if (b->irq_line >= 0) {
		irq = irq_create_mapping(sb->domain, b->irq_line);
		if (!irq) {
			ret = -ENXIO;
			goto err_board;
		}
		irq_set_irq_type(irq, b->irq_type);
	}

	/*
	 * Not spi_new_device() with a board_info swnode: that node would be
	 * "managed", and the IIO device under the spi_device, which shares
	 * its fwnode, drops the managed reference too when it goes (6.1's
	 * software_node_notify_remove(): a KASAN use-after-free at rmmod).
	 * Registered here, unmanaged: spi_unregister_device() drops the
	 * registration as for any board_info node, and our own reference,
	 * dropped after it, keeps the node until the IIO device is gone.
	 */
	if (b->swnode) {
		ret = software_node_register(b->swnode);
		if (ret)
			goto err_board;
		fwnode_handle_get(software_node_fwnode(b->swnode));
	}
	spi = spi_alloc_device(sb->ctlr);
	if (!spi) {
		ret = -ENOMEM;
		goto err_node;
	}
	strscpy(spi->modalias, b->modalias, sizeof(spi->modalias));
	spi->max_speed_hz = b->max_speed_hz;
	spi->chip_select = b->cs;
	spi->mode = b->mode;
	spi->irq = irq;
	/* as device_add_software_node() does, unmanaged */
	if (b->swnode)
		set_secondary_fwnode(&spi->dev,
				     software_node_fwnode(b->swnode));
	ret = spi_add_device(spi);
	if (ret) {
		spi_dev_put(spi);
		goto err_node;
	}
	b->spi = spi;
	dev_info(sb->dev, "board %s on chip select %u (%s)\n", b->name, b->cs,
		 dev_name(&b->spi->dev));
	mutex_unlock(&sb->reg_lock);

	return 0;

err_node:
	if (b->swnode) {
		fwnode_handle_put(software_node_fwnode(b->swnode));
		software_node_unregister(b->swnode);
	}
err_board:
	mutex_lock(&sb->xfer_lock);
	sb->boards[b->cs] = NULL;
	mutex_unlock(&sb->xfer_lock);
	device_unregister(b->dev);
	b->dev = NULL;
out:
	mutex_unlock(&sb->reg_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(simbus_register_board);

/**
 * simbus_unregister_board() - take a board off the bus
 * @b: a board registered with simbus_register_board()
 *
 * Unregisters the spi_device first (its driver unbinds while the board still
 * answers), then stops dispatching to @b and removes its sysfs directory.
 * After it returns, the core calls none of @b's hooks.
 */
void simbus_unregister_board(struct simbus_board *b)
{
	struct simbus *sb = READ_ONCE(simbus);

	if (!sb || !b->dev)
		return;

	mutex_lock(&sb->reg_lock);
	spi_unregister_device(b->spi);
	b->spi = NULL;
	if (b->swnode)	/* the node goes with the last reference */
		fwnode_handle_put(software_node_fwnode(b->swnode));

	mutex_lock(&sb->xfer_lock);
	sb->boards[b->cs] = NULL;
	mutex_unlock(&sb->xfer_lock);

	device_unregister(b->dev);
	b->dev = NULL;
	if (b->irq_line >= 0)
		simbus_update_line(sb, b->irq_line, 0);
	mutex_unlock(&sb->reg_lock);
}
EXPORT_SYMBOL_GPL(simbus_unregister_board);

/* ---- sysfs of the core: the lines ---- */

static ssize_t lines_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct simbus *sb = dev_get_drvdata(dev);
	unsigned int i;
	int len = 0;

	for (i = 0; i < SIMBUS_NUM_LINES; i++)
		len += sysfs_emit_at(buf, len, "%u %s %s %d\n", i,
				     simbus_lines[i].name,
				     simbus_lines[i].output ? "out" : "in",
				     test_bit(i, &sb->level));

	return len;
}
static DEVICE_ATTR_RO(lines);

static ssize_t simbus_actuator_show(struct device *dev, unsigned int line,
				    char *buf)
{
	struct simbus *sb = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", test_bit(line, &sb->level));
}

#define SIMBUS_ACTUATOR_ATTR(n)						\
static ssize_t actuator##n##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	return simbus_actuator_show(dev, SIMBUS_LINE_ACTUATOR##n, buf);	\
}									\
static DEVICE_ATTR_RO(actuator##n)

SIMBUS_ACTUATOR_ATTR(0);
SIMBUS_ACTUATOR_ATTR(1);
SIMBUS_ACTUATOR_ATTR(2);
SIMBUS_ACTUATOR_ATTR(3);

static struct attribute *simbus_attrs[] = {
	&dev_attr_lines.attr,
	&dev_attr_actuator0.attr,
	&dev_attr_actuator1.attr,
	&dev_attr_actuator2.attr,
	&dev_attr_actuator3.attr,
	NULL
};
ATTRIBUTE_GROUPS(simbus);

/* ---- platform device ---- */

static void simbus_unpublish(void *data)
{
	WRITE_ONCE(simbus, NULL);
}

static int simbus_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct simbus *sb;
	int ret;

	sb = devm_kzalloc(dev, sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return -ENOMEM;

	sb->dev = dev;
	mutex_init(&sb->reg_lock);
	mutex_init(&sb->xfer_lock);
	spin_lock_init(&sb->line_lock);
	platform_set_drvdata(pdev, sb);

	ret = simbus_setup_gpio(sb);
	if (ret)
		return dev_err_probe(dev, ret, "failed to set up GPIO/IRQ\n");

	ret = simbus_setup_spi(sb);
	if (ret)
		return ret;

	/* Boards come and go with their modules, each holding a reference */
	WRITE_ONCE(simbus, sb);

	return devm_add_action_or_reset(dev, simbus_unpublish, sb);
}

static struct platform_driver simbus_driver = {
	.driver = {
		.name = SIMBUS_NAME,
		.dev_groups = simbus_groups,
		/* Unbinding under registered boards would pull the bus away */
		.suppress_bind_attrs = true,
	},
	.probe = simbus_probe,
};

static struct platform_device *simbus_pdev;

static int __init simbus_init(void)
{
	int ret;

	ret = platform_driver_register(&simbus_driver);
	if (ret)
		return ret;

	simbus_pdev = platform_device_register_simple(SIMBUS_NAME,
						      PLATFORM_DEVID_NONE,
						      NULL, 0);
	if (IS_ERR(simbus_pdev)) {
		platform_driver_unregister(&simbus_driver);
		return PTR_ERR(simbus_pdev);
	}
	if (!READ_ONCE(simbus)) {
		platform_device_unregister(simbus_pdev);
		platform_driver_unregister(&simbus_driver);
		return -ENODEV;
	}

	return 0;
}
module_init(simbus_init);

static void __exit simbus_exit(void)
{
	platform_device_unregister(simbus_pdev);
	platform_driver_unregister(&simbus_driver);
}
module_exit(simbus_exit);

MODULE_DESCRIPTION("cellsense simulated front-end boards: SPI bus and GPIO lines");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellsense_simcan: a software CAN controller for tests, built on can-dev.
 *
 * Two linked interfaces, simcan0 and simcan1: a frame sent on one is
 * received on the other (when that one is up and not bus-off) and echoed
 * on the sender, as on a real bus with two nodes. They have bit timing
 * constants, so that "ip link set simcan0 type can bitrate 500000" and
 * libsocketcan work, CAN FD included, and a state a test drives through
 * sysfs, in /sys/class/net/simcanN/:
 *
 *   sim_state        active | warning | passive | bus-off (write: inject;
 *                    the error frame goes out as a controller's would;
 *                    bus-off ends by a restart, as on hardware)
 *   sim_tx_delay_us  each frame takes this long to go (0..1000000)
 *   sim_tx_block     1: frames stay in flight (the queue fills: ENOBUFS),
 *                    0: they go again
 *   sim_tx_done      frames completed (read only)
 */
#include <linux/can/dev.h>
#include <linux/can/error.h>
#include <linux/can/skb.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>

#define SIMCAN_CLOCK_HZ 40000000

struct simcan_priv {
	struct can_priv can;	/* first: can-dev's */
	struct net_device *dev;
	struct net_device *peer;
	struct hrtimer timer;
	spinlock_t lock;	/* in-flight frame and settings */
	bool inflight;
	bool blocked;
	u32 delay_us;
	u64 done;
	struct can_berr_counter bec;
};

static struct net_device *simcan_devs[2];

static const struct can_bittiming_const simcan_bittiming_const = {
	.name = "cellsense_simcan",
	.tseg1_min = 2,
	.tseg1_max = 256,
	.tseg2_min = 1,
	.tseg2_max = 128,
	.sjw_max = 128,
	.brp_min = 1,
	.brp_max = 256,
	.brp_inc = 1,
};

static const struct can_bittiming_const simcan_data_bittiming_const = {
	.name = "cellsense_simcan",
	.tseg1_min = 1,
	.tseg1_max = 32,
	.tseg2_min = 1,
	.tseg2_max = 16,
	.sjw_max = 16,
	.brp_min = 1,
	.brp_max = 256,
	.brp_inc = 1,
};

/* Deliver the frame in echo slot 0 to the peer, then echo it here. */
static void simcan_complete(struct simcan_priv *priv)
{
	struct net_device *dev = priv->dev;
	struct simcan_priv *pp = netdev_priv(priv->peer);
	struct sk_buff *echo = priv->can.echo_skb[0];
	unsigned long flags;

	spin_lock_irqsave(&priv->lock, flags);
	if (!priv->inflight || priv->blocked) {
		spin_unlock_irqrestore(&priv->lock, flags);
		return;
	}
	priv->inflight = false;
	priv->done++;
	spin_unlock_irqrestore(&priv->lock, flags);

	if (echo && netif_running(priv->peer) &&
	    pp->can.state < CAN_STATE_BUS_OFF) {
		struct net_device *peer = priv->peer;
		struct sk_buff *skb;

		if (can_is_canfd_skb(echo)) {
			struct canfd_frame *cf;

			skb = alloc_canfd_skb(peer, &cf);
			if (skb)
				memcpy(cf, echo->data, sizeof(*cf));
		} else {
			struct can_frame *cf;

			skb = alloc_can_skb(peer, &cf);
			if (skb)
				memcpy(cf, echo->data, sizeof(*cf));
		}
		if (skb) {
			peer->stats.rx_packets++;
			peer->stats.rx_bytes += can_skb_get_data_len(skb);
			netif_rx(skb);
		} else {
			peer->stats.rx_dropped++;
		}
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += can_get_echo_skb(dev, 0, NULL);
	netif_wake_queue(dev);
}

static enum hrtimer_restart simcan_timer(struct hrtimer *t)
{
	struct simcan_priv *priv = container_of(t, struct simcan_priv, timer);

	simcan_complete(priv);
	return HRTIMER_NORESTART;
}

static netdev_tx_t simcan_start_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	struct simcan_priv *priv = netdev_priv(dev);
	unsigned long flags;
	u32 delay;

	if (can_dev_dropped_skb(dev, skb))
		return NETDEV_TX_OK;
	netif_stop_queue(dev);
	can_put_echo_skb(skb, dev, 0, 0);
	spin_lock_irqsave(&priv->lock, flags);
	priv->inflight = true;
	delay = priv->delay_us;
	spin_unlock_irqrestore(&priv->lock, flags);
	if (delay)
		hrtimer_start(&priv->timer, ns_to_ktime((u64)delay * 1000),
			      HRTIMER_MODE_REL_SOFT);
	else
		simcan_complete(priv);
	return NETDEV_TX_OK;
}

static void simcan_drop_inflight(struct simcan_priv *priv)
{
	unsigned long flags;

	hrtimer_cancel(&priv->timer);
	spin_lock_irqsave(&priv->lock, flags);
	priv->inflight = false;
	spin_unlock_irqrestore(&priv->lock, flags);
	can_free_echo_skb(priv->dev, 0, NULL);
}

static int simcan_open(struct net_device *dev)
{
	struct simcan_priv *priv = netdev_priv(dev);
	int ret;

	ret = open_candev(dev);
	if (ret)
		return ret;
	priv->can.state = CAN_STATE_ERROR_ACTIVE;
	priv->bec.txerr = 0;
	priv->bec.rxerr = 0;
	netif_start_queue(dev);
	return 0;
}

static int simcan_stop(struct net_device *dev)
{
	struct simcan_priv *priv = netdev_priv(dev);

	netif_stop_queue(dev);
	simcan_drop_inflight(priv);
	priv->can.state = CAN_STATE_STOPPED;
	close_candev(dev);
	return 0;
}

static const struct net_device_ops simcan_netdev_ops = {
	.ndo_open = simcan_open,
	.ndo_stop = simcan_stop,
	.ndo_start_xmit = simcan_start_xmit,
	.ndo_change_mtu = can_change_mtu,
};

static int simcan_set_mode(struct net_device *dev, enum can_mode mode)
{
	struct simcan_priv *priv = netdev_priv(dev);

	if (mode != CAN_MODE_START)
		return -EOPNOTSUPP;
	/* restart after bus-off: what was in flight is gone */
	simcan_drop_inflight(priv);
	priv->can.state = CAN_STATE_ERROR_ACTIVE;
	priv->bec.txerr = 0;
	priv->bec.rxerr = 0;
	netif_wake_queue(dev);
	return 0;
}

static int simcan_get_berr_counter(const struct net_device *dev,
				   struct can_berr_counter *bec)
{
	const struct simcan_priv *priv = netdev_priv(dev);

	*bec = priv->bec;
	return 0;
}

/* ---------------------------------------------------------------------
 * sysfs: what a test drives.
 */
static const char * const simcan_state_names[] = {
	[CAN_STATE_ERROR_ACTIVE] = "active",
	[CAN_STATE_ERROR_WARNING] = "warning",
	[CAN_STATE_ERROR_PASSIVE] = "passive",
	[CAN_STATE_BUS_OFF] = "bus-off",
	[CAN_STATE_STOPPED] = "stopped",
	[CAN_STATE_SLEEPING] = "sleeping",
};

static ssize_t sim_state_show(struct device *d, struct device_attribute *a,
			      char *buf)
{
	struct simcan_priv *priv = netdev_priv(to_net_dev(d));

	if (priv->can.state >= ARRAY_SIZE(simcan_state_names))
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%s\n", simcan_state_names[priv->can.state]);
}

static ssize_t sim_state_store(struct device *d, struct device_attribute *a,
			       const char *buf, size_t count)
{
	static const u16 errs[] = {
		[CAN_STATE_ERROR_ACTIVE] = 0,
		[CAN_STATE_ERROR_WARNING] = 96,
		[CAN_STATE_ERROR_PASSIVE] = 128,
		[CAN_STATE_BUS_OFF] = 256,
	};
	struct net_device *dev = to_net_dev(d);
	struct simcan_priv *priv = netdev_priv(dev);
	struct can_frame *cf;
	struct sk_buff *skb;
	int st;

	st = sysfs_match_string(simcan_state_names, buf);
	if (st < 0 || st > CAN_STATE_BUS_OFF)
		return -EINVAL;
	if (!netif_running(dev))
		return -ENETDOWN;
	if (priv->can.state == CAN_STATE_BUS_OFF)
		return -EBUSY;	/* only a restart ends bus-off */
	if (st == priv->can.state)
		return count;
	priv->bec.txerr = errs[st];
	priv->bec.rxerr = st == CAN_STATE_BUS_OFF ? 0 : errs[st];
	skb = alloc_can_err_skb(dev, &cf);
	can_change_state(dev, cf, st, st);
	if (cf && st != CAN_STATE_BUS_OFF) {
		cf->can_id |= CAN_ERR_CNT;
		cf->data[6] = priv->bec.txerr;
		cf->data[7] = priv->bec.rxerr;
	}
	if (st == CAN_STATE_BUS_OFF) {
		simcan_drop_inflight(priv);
		can_bus_off(dev);
	}
	if (skb)
		netif_rx(skb);
	return count;
}
static DEVICE_ATTR_RW(sim_state);

static ssize_t sim_tx_delay_us_show(struct device *d,
				    struct device_attribute *a, char *buf)
{
	struct simcan_priv *priv = netdev_priv(to_net_dev(d));

	return sysfs_emit(buf, "%u\n", READ_ONCE(priv->delay_us));
}

static ssize_t sim_tx_delay_us_store(struct device *d,
				     struct device_attribute *a,
				     const char *buf, size_t count)
{
	struct simcan_priv *priv = netdev_priv(to_net_dev(d));
	u32 v;
	int ret;

	ret = kstrtou32(buf, 0, &v);
	if (ret)
		return ret;
	if (v > 1000000)
		return -ERANGE;
	WRITE_ONCE(priv->delay_us, v);
	return count;
}
static DEVICE_ATTR_RW(sim_tx_delay_us);

static ssize_t sim_tx_block_show(struct device *d, struct device_attribute *a,
				 char *buf)
{
	struct simcan_priv *priv = netdev_priv(to_net_dev(d));

	return sysfs_emit(buf, "%d\n", READ_ONCE(priv->blocked));
}

static ssize_t sim_tx_block_store(struct device *d, struct device_attribute *a,
				  const char *buf, size_t count)
{
	struct simcan_priv *priv = netdev_priv(to_net_dev(d));
	unsigned long flags;
	bool v, resume;
	int ret;

	ret = kstrtobool(buf, &v);
	if (ret)
		return ret;
	spin_lock_irqsave(&priv->lock, flags);
	resume = priv->blocked && !v && priv->inflight;
	priv->blocked = v;
	spin_unlock_irqrestore(&priv->lock, flags);
	if (resume) {
		local_bh_disable();
		simcan_complete(priv);
		local_bh_enable();
	}
	return count;
}
static DEVICE_ATTR_RW(sim_tx_block);

static ssize_t sim_tx_done_show(struct device *d, struct device_attribute *a,
				char *buf)
{
	struct simcan_priv *priv = netdev_priv(to_net_dev(d));

	return sysfs_emit(buf, "%llu\n", READ_ONCE(priv->done));
}
static DEVICE_ATTR_RO(sim_tx_done);

static struct attribute *simcan_attrs[] = {
	&dev_attr_sim_state.attr,
	&dev_attr_sim_tx_delay_us.attr,
	&dev_attr_sim_tx_block.attr,
	&dev_attr_sim_tx_done.attr,
	NULL,
};

static const struct attribute_group simcan_group = {
	.attrs = simcan_attrs,
};

/* ---------------------------------------------------------------------
 * The pair.
 */
static struct net_device *simcan_create(void)
{
	struct net_device *dev;
	struct simcan_priv *priv;

	dev = alloc_candev(sizeof(*priv), 1);
	if (!dev)
		return NULL;
	strscpy(dev->name, "simcan%d", IFNAMSIZ);
	dev->netdev_ops = &simcan_netdev_ops;
	dev->flags |= IFF_ECHO;
	dev->sysfs_groups[0] = &simcan_group;
	priv = netdev_priv(dev);
	priv->dev = dev;
	spin_lock_init(&priv->lock);
	hrtimer_init(&priv->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	priv->timer.function = simcan_timer;
	priv->can.clock.freq = SIMCAN_CLOCK_HZ;
	priv->can.bittiming_const = &simcan_bittiming_const;
	priv->can.data_bittiming_const = &simcan_data_bittiming_const;
	priv->can.ctrlmode_supported = CAN_CTRLMODE_FD |
				       CAN_CTRLMODE_BERR_REPORTING;
	priv->can.do_set_mode = simcan_set_mode;
	priv->can.do_get_berr_counter = simcan_get_berr_counter;
	return dev;
}

static int __init simcan_init(void)
{
	struct simcan_priv *p0, *p1;
	int ret, i;

	for (i = 0; i < 2; i++) {
		simcan_devs[i] = simcan_create();
		if (!simcan_devs[i]) {
			ret = -ENOMEM;
			goto free;
		}
	}
	p0 = netdev_priv(simcan_devs[0]);
	p1 = netdev_priv(simcan_devs[1]);
	p0->peer = simcan_devs[1];
	p1->peer = simcan_devs[0];
	ret = register_candev(simcan_devs[0]);
	if (ret)
		goto free;
	ret = register_candev(simcan_devs[1]);
	if (ret) {
		unregister_candev(simcan_devs[0]);
		goto free;
	}
	return 0;
free:
	for (i = 0; i < 2; i++)
		if (simcan_devs[i])
			free_candev(simcan_devs[i]);
	return ret;
}

static void __exit simcan_exit(void)
{
	int i;

	for (i = 0; i < 2; i++)
		unregister_candev(simcan_devs[i]);
	for (i = 0; i < 2; i++)
		free_candev(simcan_devs[i]);
}

module_init(simcan_init);
module_exit(simcan_exit);

MODULE_DESCRIPTION("cellsense software CAN controller pair for tests");
MODULE_AUTHOR("cellsense");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellsense simbus board: the reference-electrode front-end, a TI ADS131M04
 * on chip select 2 of the sim's SPI bus, DRDY on line "re-drdy" (active
 * low: a falling edge per conversion, high again once the frame is read).
 *
 * The ADC answers in its real frames (24-bit words, responses one frame
 * late, CRC-16-CCITT out, and in when MODE.RX_CRC_EN is set) in front of a
 * model three-electrode cell, the one libcellsense's cs_resynth follows:
 * NMC cathode and graphite anode OCV vs Li/Li+ following the state of
 * charge, overpotentials from Arrhenius resistances (10 and 8 mOhm at
 * 25 degC, activation 4000 K) so that the anode dips below 0 V vs Li/Li+ at
 * high charge current and low temperature, a reference electrode drifting
 * linearly, white noise and mains pickup. Front end as the driver's
 * defaults: dividers 4, 4, 2, shunt 1 mOhm. Settings and truth in
 * /sys/devices/platform/cellsense-sim/re/, see kernel/README.md.
 */

#include <linux/bits.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fixp-arith.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/property.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/sysfs.h>
#include <linux/wait.h>

#include "../cellsense_re.h"
#include "simbus.h"

#define RE_SIM_CLKIN_HZ		8192000
#define RE_SIM_NREGS		(ADS131M04_REG_MAX + 1)
#define RE_SIM_ID		0x2401
#define RE_SIM_DIV_MILLI_CELL	4000
#define RE_SIM_DIV_MILLI_CATH	4000
#define RE_SIM_DIV_MILLI_ANODE	2000
#define RE_SIM_SHUNT_UOHM	1000
#define RE_SIM_R_ANODE_UOHM	10000
#define RE_SIM_R_CATH_UOHM	8000
/* 5 Ah in uA * s: uA * ns over it is parts per 10^9 */
#define RE_SIM_CAPACITY		(5LL * 1000000 * 3600)
#define RE_SIM_NOISE_UA		2000

/* OCV vs Li/Li+ in uV at SoC 0, 0.01, ... 1 (cs_re_ocv_cathode/anode) */
static const s32 re_sim_ocv_cath[101] = {
	3500000, 3539524, 3569422, 3592426, 3610496, 3625035, 3637048, 3647255,
	3656174, 3664174, 3671519, 3678401, 3684954, 3691277, 3697440, 3703491,
	3709469, 3715397, 3721295, 3727175, 3733047, 3738919, 3744794, 3750676,
	3756568, 3762471, 3768387, 3774317, 3780261, 3786220, 3792195, 3798184,
	3804189, 3810210, 3816247, 3822299, 3828367, 3834451, 3840552, 3846668,
	3852800, 3858948, 3865112, 3871292, 3877488, 3883700, 3889928, 3896172,
	3902432, 3908708, 3915000, 3921308, 3927632, 3933972, 3940328, 3946700,
	3953088, 3959492, 3965912, 3972348, 3978800, 3985268, 3991752, 3998252,
	4004768, 4011300, 4017848, 4024412, 4030992, 4037588, 4044200, 4050828,
	4057472, 4064132, 4070808, 4077500, 4084208, 4090932, 4097672, 4104428,
	4111200, 4117988, 4124792, 4131612, 4138448, 4145300, 4152168, 4159052,
	4165952, 4172868, 4179800, 4186748, 4193712, 4200692, 4207688, 4214700,
	4221728, 4228772, 4235832, 4242908, 4250000,
};

static const s32 re_sim_ocv_anode[101] = {
	700000, 608165, 532760, 470806, 419864, 377940, 343397, 314898,
	291348, 271849, 255668, 242202, 230959, 221537, 213605, 206894,
	201181, 196287, 192062, 188385, 185158, 182298, 179739, 177426,
	175315, 173369, 171558, 169858, 168249, 166714, 165239, 163815,
	162431, 161080, 159757, 158456, 157173, 155906, 154650, 153405,
	152168, 150937, 149712, 148492, 147275, 146062, 144851, 143641,
	142434, 141228, 140023, 138819, 137615, 136412, 135210, 134008,
	132807, 131606, 130405, 129204, 128003, 126803, 125602, 124402,
	123201, 122001, 120801, 119601, 118401, 117201, 116000, 114800,
	113600, 112400, 111200, 110000, 108800, 107600, 106400, 105200,
	104000, 102800, 101600, 100400, 99200, 98000, 96800, 95600,
	94400, 93200, 92000, 90800, 89600, 88400, 87200, 86000,
	84800, 83600, 82400, 81200, 80000,
};

/* 1000 exp(4000 K (1/T - 1/298.15 K)) for T = -40 ... 80 degC */
static const u16 re_sim_arrhenius[121] = {
	42109, 39134, 36392, 33863, 31529, 29373, 27381, 25539, 23834, 22256,
	20794, 19439, 18183, 17017, 15934, 14928, 13992, 13123, 12313, 11559,
	10857, 10203, 9593, 9023, 8491, 7995, 7531, 7097, 6691, 6312,
	5956, 5623, 5311, 5018, 4744, 4486, 4244, 4017, 3803, 3603,
	3414, 3236, 3069, 2912, 2764, 2624, 2492, 2368, 2251, 2140,
	2035, 1937, 1843, 1755, 1672, 1593, 1518, 1448, 1381, 1317,
	1257, 1200, 1146, 1095, 1046, 1000, 956, 914, 875, 837,
	801, 767, 735, 704, 675, 647, 620, 595, 571, 548,
	526, 505, 485, 466, 448, 430, 414, 398, 383, 368,
	354, 341, 328, 316, 304, 293, 283, 272, 263, 253,
	244, 236, 227, 219, 212, 205, 198, 191, 184, 178,
	172, 166, 161, 156, 151, 146, 141, 136, 132, 128,
	124,
};

struct re_sim {
	/* Protects everything below */
	struct mutex lock;
	u16 regs[RE_SIM_NREGS];
	bool standby;
	u16 next_resp;		/* response word of the next frame */
	/* next_resp is STATUS as it stands when the next frame starts */
	bool resp_status;
	s32 conv[ADS131M04_NUM_CH];	/* latest conversion, 24-bit codes */
	bool unread;		/* DRDY low: a conversion not yet read */
	/* Cell, set through sysfs */
	s64 soc_ppb;
	int current_ma;
	int temp_mdegc;
	int drift_uv_per_s;
	unsigned int noise_uv;
	unsigned int mains_uv;
	unsigned int mains_hz;
	/* Truth of the last conversion, uV and uA */
	s32 truth[ADS131M04_NUM_CH];
	s64 drift_nv;
	/* Faults and statistics */
	unsigned int crc_inject;	/* corrupt this many output frames */
	unsigned int stale_drdy;	/* DRDY pulses with no new conversion */
	u64 crc_injected;
	u64 conversions;
	u64 frames;
	u64 rx_crc_errors;
	u64 overwritten;	/* conversions made before the last was read */
	u64 stale_reads;	/* NULL frames with no new conversion */
	ktime_t t0;
	struct rnd_state rnd;
	struct simbus_board board;
	struct task_struct *thread;
};

static struct re_sim *re_sim;

/* ---- the cell ---- */

static s32 re_sim_interp(const s32 *tab, s64 soc_ppb)
{
	s64 x = clamp_t(s64, soc_ppb, 0, NSEC_PER_SEC);
	u32 frac;
	u64 i = div_u64_rem(x, 10000000, &frac);	/* 0.01 steps */

	if (i >= 100)
		return tab[100];

	return tab[i] + (s32)div_s64((s64)(tab[i + 1] - tab[i]) * frac,
				     10000000);
}

static u32 re_sim_arrhenius_permille(int mdegc)
{
	int t = clamp(mdegc, -40000, 80000) + 40000;
	unsigned int i = t / 1000, frac = t % 1000;

	if (i >= 120)
		return re_sim_arrhenius[120];

	return re_sim_arrhenius[i] -
	       ((re_sim_arrhenius[i] - re_sim_arrhenius[i + 1]) * frac) / 1000;
}

/* Gaussian-ish noise, unit rms in 1/65536: Irwin-Hall of 12 uniforms */
static s32 re_sim_randn(struct re_sim *re)
{
	s32 sum = 0;
	int k;

	for (k = 0; k < 12; k++)
		sum += prandom_u32_state(&re->rnd) & 0xffff;

	return sum - 12 * 32768;
}

static s32 re_sim_noise(struct re_sim *re, unsigned int rms)
{
	return (s32)div_s64((s64)re_sim_randn(re) * rms, 65536);
}

/* Volts at the ADC input (uV) to a 24-bit code at PGA gain 2^g */
static s32 re_sim_code(s64 uv_in, unsigned int g)
{
	s64 code = div_s64(uv_in * BIT(23), 1200000) << g;

	return clamp_t(s64, code, -BIT(23), BIT(23) - 1);
}

/* One conversion; called with re->lock held */
static void re_sim_convert(struct re_sim *re, ktime_t now, s64 dt_ns)
{
	s64 t_ns = ktime_to_ns(ktime_sub(now, re->t0));
	s64 i_ua = (s64)re->current_ma * 1000;
	u32 arr = re_sim_arrhenius_permille(re->temp_mdegc);
	s32 cath, anode, mains, drift;
	u16 gain = re->regs[ADS131M04_REG_GAIN1];
	unsigned int deg;

	/* uA * uOhm = pV; * permille / 1000 / 10^6 = uV */
	cath = re_sim_interp(re_sim_ocv_cath, re->soc_ppb) +
	       (s32)div_s64(i_ua * RE_SIM_R_CATH_UOHM * arr, 1000000000LL);
	anode = re_sim_interp(re_sim_ocv_anode, re->soc_ppb) -
		(s32)div_s64(i_ua * RE_SIM_R_ANODE_UOHM * arr, 1000000000LL);
	re->truth[0] = cath - anode;
	re->truth[1] = cath;
	re->truth[2] = anode;
	re->truth[3] = i_ua;

	re->drift_nv = div_s64((s64)re->drift_uv_per_s * t_ns, 1000000);
	drift = div_s64(re->drift_nv, 1000);
	deg = div_u64((u64)t_ns * re->mains_hz * 360, NSEC_PER_SEC) % 360;
	mains = (s32)div_s64((s64)fixp_sin32(deg) * re->mains_uv, 0x7fffffff);

	re->conv[0] = re_sim_code(div_s64((s64)(re->truth[0] + mains / 10 +
				  re_sim_noise(re, re->noise_uv)) * 1000,
				  RE_SIM_DIV_MILLI_CELL), gain & 7);
	re->conv[1] = re_sim_code(div_s64((s64)(cath - drift + mains +
				  re_sim_noise(re, re->noise_uv)) * 1000,
				  RE_SIM_DIV_MILLI_CATH), (gain >> 4) & 7);
	re->conv[2] = re_sim_code(div_s64((s64)(anode - drift + mains +
				  re_sim_noise(re, re->noise_uv)) * 1000,
				  RE_SIM_DIV_MILLI_ANODE), (gain >> 8) & 7);
	/* shunt: uA * uOhm = pV */
	i_ua += re_sim_noise(re, RE_SIM_NOISE_UA);
	re->conv[3] = re_sim_code(div_s64(i_ua * RE_SIM_SHUNT_UOHM, 1000000),
				  (gain >> 12) & 7);

	re->soc_ppb += div64_s64(i_ua * dt_ns, RE_SIM_CAPACITY);
	re->soc_ppb = clamp_t(s64, re->soc_ppb, 0, NSEC_PER_SEC);
	re->conversions++;
}

/* ---- the ADS131M04 ---- */

static void re_sim_reset(struct re_sim *re)
{
	memset(re->regs, 0, sizeof(re->regs));
	re->regs[ADS131M04_REG_ID] = RE_SIM_ID;
	re->regs[ADS131M04_REG_STATUS] = ADS131M04_STATUS_RESET | 0x0100;
	re->regs[ADS131M04_REG_MODE] = ADS131M04_MODE_DEFAULT;
	re->regs[ADS131M04_REG_CLOCK] = ADS131M04_CLOCK_DEFAULT;
	re->regs[ADS131M04_REG_CFG] = 0x0600;
	re->standby = false;
}

static u32 re_sim_period_ns(struct re_sim *re)
{
	unsigned int osr = (re->regs[ADS131M04_REG_CLOCK] &
			    ADS131M04_CLOCK_OSR) >> 2;

	return div_u64((u64)ads131m04_osr[osr] * NSEC_PER_SEC,
		       RE_SIM_CLKIN_HZ / 2);
}

static u16 re_sim_status(struct re_sim *re)
{
	u16 st = re->regs[ADS131M04_REG_STATUS] & ~ADS131M04_STATUS_DRDY;

	if (re->unread)
		st |= ADS131M04_STATUS_DRDY;

	return st;
}

static void re_sim_put_word(u8 *p, u32 v)
{
	p[0] = v >> 16;
	p[1] = v >> 8;
	p[2] = v;
}

/* One frame in, one frame out. Called with re->lock held. */
static void re_sim_frame(struct re_sim *re, const u8 *tx, u8 *rx,
			 unsigned int len)
{
	u8 out[ADS131M04_FRAME_BYTES];
	u16 cmd = tx ? (tx[0] << 8) | tx[1] : 0;
	unsigned int ndata = 0, addr, ch;
	u16 crc, resp;
	bool ok = true;

	re->frames++;
	/*
	 * This frame carries the response to the previous command; a NULL's
	 * is STATUS as the frame starts, its DRDY bits saying whether the
	 * conversions in this frame are new.
	 */
	if (re->resp_status) {
		re->next_resp = re_sim_status(re);
		/* STATUS read clears the CRC error flag */
		re->regs[ADS131M04_REG_STATUS] &= ~ADS131M04_STATUS_CRC_ERR;
	}
	re_sim_put_word(out, (u32)re->next_resp << 8);
	for (ch = 0; ch < ADS131M04_NUM_CH; ch++)
		re_sim_put_word(out + (ch + 1) * ADS131M04_WORD_BYTES,
				re->conv[ch] & 0xffffff);
	crc = ads131m04_crc(out, (ADS131M04_FRAME_WORDS - 1) *
			    ADS131M04_WORD_BYTES);
	re_sim_put_word(out + (ADS131M04_FRAME_WORDS - 1) *
			ADS131M04_WORD_BYTES, (u32)crc << 8);
	if (re->crc_inject) {
		/* a bit flipped on MISO in a conversion word */
		re->crc_inject--;
		re->crc_injected++;
		out[2 * ADS131M04_WORD_BYTES + 1] ^= 0x10;
	}
	if (rx)
		memcpy(rx, out, min_t(unsigned int, len, sizeof(out)));
	if (len > sizeof(out) && rx)
		memset(rx + sizeof(out), 0, len - sizeof(out));

	if (ADS131M04_CMD_IS_WREG(cmd))
		ndata = (cmd & 0x7f) + 1;
	/* Input CRC after the command and its data, if the part checks it */
	if (tx && (re->regs[ADS131M04_REG_MODE] & ADS131M04_MODE_RX_CRC_EN)) {
		unsigned int at = (1 + ndata) * ADS131M04_WORD_BYTES;

		if (at + 2 > len ||
		    ads131m04_crc(tx, at) != ((tx[at] << 8) | tx[at + 1]))
			ok = false;
	}
	if (!ok) {
		re->rx_crc_errors++;
		re->regs[ADS131M04_REG_STATUS] |= ADS131M04_STATUS_CRC_ERR;
		re->next_resp = re_sim_status(re);
		re->resp_status = false;
		return;
	}

	/* Reading the frame clears DRDY */
	if (cmd == ADS131M04_CMD_NULL && !re->unread)
		re->stale_reads++;
	re->unread = false;
	resp = 0;
	re->resp_status = false;
	addr = ADS131M04_CMD_ADDR(cmd);
	if (cmd == ADS131M04_CMD_NULL) {
		/* STATUS, taken when the next frame starts */
		re->resp_status = true;
	} else if (cmd == ADS131M04_CMD_RESET) {
		re_sim_reset(re);
		resp = ADS131M04_RESP_RESET;
	} else if (cmd == ADS131M04_CMD_STANDBY) {
		re->standby = true;
		resp = cmd;
	} else if (cmd == ADS131M04_CMD_WAKEUP) {
		re->standby = false;
		resp = cmd;
	} else if (ADS131M04_CMD_IS_RREG(cmd)) {
		resp = addr == ADS131M04_REG_STATUS ? re_sim_status(re) :
		       addr < RE_SIM_NREGS ? re->regs[addr] : 0;
	} else if (ADS131M04_CMD_IS_WREG(cmd) && ndata == 1 &&
		   len >= 2 * ADS131M04_WORD_BYTES) {
		u16 val = (tx[3] << 8) | tx[4];

		if (addr >= ADS131M04_REG_MODE && addr < RE_SIM_NREGS) {
			re->regs[addr] = val;
			if (addr == ADS131M04_REG_MODE) {
				re->regs[ADS131M04_REG_STATUS] &=
					~ADS131M04_STATUS_RESET;
				re->regs[ADS131M04_REG_MODE] &=
					~ADS131M04_MODE_RESET;
			}
		}
		resp = ADS131M04_RESP_WREG(addr, 1);
	} else {
		resp = re_sim_status(re);	/* unknown: as NULL */
	}
	re->next_resp = resp;
}

static int re_sim_message(struct simbus_board *b, struct spi_message *msg)
{
	struct re_sim *re = b->priv;
	struct spi_transfer *xfer;

	mutex_lock(&re->lock);
	/* Every transfer is a frame of its own (chip select per transfer) */
	list_for_each_entry(xfer, &msg->transfers, transfer_list)
		re_sim_frame(re, xfer->tx_buf, xfer->rx_buf, xfer->len);
	mutex_unlock(&re->lock);

	/* DRDY back high once the conversion is read */
	simbus_set_line(b, SIMBUS_LINE_RE_DRDY, 1);

	return 0;
}

static const struct simbus_board_ops re_sim_ops = {
	.message = re_sim_message,
};

/* ---- conversion clock ---- */

static int re_sim_thread(void *data)
{
	struct re_sim *re = data;
	ktime_t next = ktime_get(), last = next;
	u32 period_ns;
	bool standby;

	while (!kthread_should_stop()) {
		mutex_lock(&re->lock);
		period_ns = re_sim_period_ns(re);
		standby = re->standby;
		mutex_unlock(&re->lock);

		next = ktime_add_ns(next, period_ns);
		/* behind (TCG): slip rather than burst */
		if (ktime_before(next, ktime_get()))
			next = ktime_add_ns(ktime_get(), period_ns);
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule_hrtimeout(&next, HRTIMER_MODE_ABS);
		__set_current_state(TASK_RUNNING);
		if (kthread_should_stop())
			break;
		if (standby)
			continue;

		mutex_lock(&re->lock);
		if (re->stale_drdy) {
			/* a DRDY pulse, no conversion: the data stay as read */
			re->stale_drdy--;
		} else {
			re_sim_convert(re, next,
				       ktime_to_ns(ktime_sub(next, last)));
			if (re->unread)
				re->overwritten++;
			re->unread = true;
			last = next;
		}
		mutex_unlock(&re->lock);

		/* not read since the last one: DRDY pulses high first */
		simbus_set_line(&re->board, SIMBUS_LINE_RE_DRDY, 1);
		simbus_set_line(&re->board, SIMBUS_LINE_RE_DRDY, 0);
	}

	return 0;
}

/* ---- sysfs ---- */

static ssize_t re_sim_show_int(struct device *dev, char *buf, const int *v)
{
	struct re_sim *re = simbus_board_priv(dev);
	int val;

	mutex_lock(&re->lock);
	val = *v;
	mutex_unlock(&re->lock);

	return sysfs_emit(buf, "%d\n", val);
}

static ssize_t re_sim_store_int(struct device *dev, const char *buf,
				size_t count, int *v, int min, int max)
{
	struct re_sim *re = simbus_board_priv(dev);
	int val, ret;

	ret = kstrtoint(buf, 0, &val);
	if (ret)
		return ret;
	if (val < min || val > max)
		return -EINVAL;
	mutex_lock(&re->lock);
	*v = val;
	mutex_unlock(&re->lock);

	return count;
}

/* _ptr: where the value lives, evaluated when the attribute is used */
#define RE_SIM_INT_ATTR(_name, _ptr, _min, _max)			\
static int *_name##_field(void)						\
{									\
	int *p = (_ptr);						\
									\
	return p;							\
}									\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return re_sim_show_int(dev, buf, _name##_field());		\
}									\
static ssize_t _name##_store(struct device *dev,			\
			     struct device_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	return re_sim_store_int(dev, buf, count, _name##_field(),	\
				_min, _max);				\
}									\
static DEVICE_ATTR_RW(_name)

RE_SIM_INT_ATTR(current_ma, (int *)&re_sim->current_ma, -100000, 100000);
RE_SIM_INT_ATTR(temperature_mdegc, (int *)&re_sim->temp_mdegc, -40000, 80000);
RE_SIM_INT_ATTR(drift_uv_per_s, (int *)&re_sim->drift_uv_per_s, -100000, 100000);
RE_SIM_INT_ATTR(noise_uv, (int *)&re_sim->noise_uv, 0, 100000);
RE_SIM_INT_ATTR(mains_uv, (int *)&re_sim->mains_uv, 0, 500000);
RE_SIM_INT_ATTR(mains_hz, (int *)&re_sim->mains_hz, 1, 1000);
RE_SIM_INT_ATTR(crc_inject, (int *)&re_sim->crc_inject, 0, 1000000);
RE_SIM_INT_ATTR(stale_drdy, (int *)&re_sim->stale_drdy, 0, 1000000);

static ssize_t soc_ppm_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct re_sim *re = simbus_board_priv(dev);
	s64 soc;

	mutex_lock(&re->lock);
	soc = re->soc_ppb;
	mutex_unlock(&re->lock);

	return sysfs_emit(buf, "%lld\n", div_s64(soc, 1000));
}

static ssize_t soc_ppm_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct re_sim *re = simbus_board_priv(dev);
	int val, ret;

	ret = kstrtoint(buf, 0, &val);
	if (ret)
		return ret;
	if (val < 0 || val > 1000000)
		return -EINVAL;
	mutex_lock(&re->lock);
	re->soc_ppb = (s64)val * 1000;
	mutex_unlock(&re->lock);

	return count;
}
static DEVICE_ATTR_RW(soc_ppm);

static ssize_t truth_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct re_sim *re = simbus_board_priv(dev);
	s32 t[ADS131M04_NUM_CH];
	s64 drift;

	mutex_lock(&re->lock);
	memcpy(t, re->truth, sizeof(t));
	drift = re->drift_nv;
	mutex_unlock(&re->lock);

	/* cell cathode anode (uV vs Li/Li+) current (uA) drift (uV) */
	return sysfs_emit(buf, "%d %d %d %d %lld\n", t[0], t[1], t[2], t[3],
			  div_s64(drift, 1000));
}
static DEVICE_ATTR_RO(truth);

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct re_sim *re = simbus_board_priv(dev);
	u64 conv, frames, inj, rxerr, over, stale;

	mutex_lock(&re->lock);
	conv = re->conversions;
	frames = re->frames;
	inj = re->crc_injected;
	rxerr = re->rx_crc_errors;
	over = re->overwritten;
	stale = re->stale_reads;
	mutex_unlock(&re->lock);

	/* conversions frames crc_injected rx_crc_errors overwritten stale */
	return sysfs_emit(buf, "%llu %llu %llu %llu %llu %llu\n", conv, frames,
			  inj, rxerr, over, stale);
}
static DEVICE_ATTR_RO(stats);

/*
 * The part resets by itself (a brown-out, SYNC/RESET held low), as the
 * RESET command does: registers at their defaults, STATUS.RESET set; it
 * goes on converting at the default rate. Write 1.
 */
static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct re_sim *re = simbus_board_priv(dev);
	bool val;
	int ret;

	ret = kstrtobool(buf, &val);
	if (ret)
		return ret;
	if (!val)
		return -EINVAL;
	mutex_lock(&re->lock);
	re_sim_reset(re);
	/* Its first frame after a reset answers 0xff24, as after RESET */
	re->next_resp = ADS131M04_RESP_RESET;
	re->resp_status = false;
	mutex_unlock(&re->lock);

	return count;
}
static DEVICE_ATTR_WO(reset);

static struct attribute *re_sim_attrs[] = {
	&dev_attr_current_ma.attr,
	&dev_attr_temperature_mdegc.attr,
	&dev_attr_soc_ppm.attr,
	&dev_attr_drift_uv_per_s.attr,
	&dev_attr_noise_uv.attr,
	&dev_attr_mains_uv.attr,
	&dev_attr_mains_hz.attr,
	&dev_attr_crc_inject.attr,
	&dev_attr_stale_drdy.attr,
	&dev_attr_truth.attr,
	&dev_attr_stats.attr,
	&dev_attr_reset.attr,
	NULL
};

static const struct attribute_group re_sim_group = {
	.attrs = re_sim_attrs,
};

static const struct attribute_group *re_sim_groups[] = {
	&re_sim_group,
	NULL
};

/* ---- module ---- */

static const struct property_entry re_sim_props[] = {
	PROPERTY_ENTRY_STRING("label", "re0"),
	PROPERTY_ENTRY_U32("clock-frequency", RE_SIM_CLKIN_HZ),
	PROPERTY_ENTRY_U32("cellsense,cell-divider-milli", RE_SIM_DIV_MILLI_CELL),
	PROPERTY_ENTRY_U32("cellsense,cathode-divider-milli", RE_SIM_DIV_MILLI_CATH),
	PROPERTY_ENTRY_U32("cellsense,anode-divider-milli", RE_SIM_DIV_MILLI_ANODE),
	PROPERTY_ENTRY_U32("cellsense,shunt-micro-ohms", RE_SIM_SHUNT_UOHM),
	{ }
};

static const struct software_node re_sim_swnode = {
	.name = "re-frontend",
	.properties = re_sim_props,
};

static int __init re_sim_init(void)
{
	struct re_sim *re;
	int ret;

	re = kzalloc(sizeof(*re), GFP_KERNEL);
	if (!re)
		return -ENOMEM;

	mutex_init(&re->lock);
	re_sim_reset(re);
	re->soc_ppb = 500000000;	/* 50 % */
	re->temp_mdegc = 25000;
	re->noise_uv = 500;
	re->mains_uv = 20000;
	re->mains_hz = 50;
	re->t0 = ktime_get();
	prandom_seed_state(&re->rnd, get_random_u64());
	re_sim = re;

	re->board = (struct simbus_board) {
		.name = "re",
		.cs = SIMBUS_CS_RE,
		.ops = &re_sim_ops,
		.groups = re_sim_groups,
		.modalias = "re-frontend",
		.swnode = &re_sim_swnode,
		.max_speed_hz = 8000000,
		.mode = SPI_MODE_1,
		.irq_line = SIMBUS_LINE_RE_DRDY,
		.irq_type = IRQ_TYPE_EDGE_FALLING,
		.priv = re,
	};
	/* DRDY idles high */
	simbus_set_line(&re->board, SIMBUS_LINE_RE_DRDY, 1);

	re->thread = kthread_run(re_sim_thread, re, "cellsense-sim-re");
	if (IS_ERR(re->thread)) {
		ret = PTR_ERR(re->thread);
		goto err_free;
	}

	ret = simbus_register_board(&re->board);
	if (ret)
		goto err_thread;

	return 0;

err_thread:
	kthread_stop(re->thread);
err_free:
	re_sim = NULL;
	kfree(re);
	return ret;
}
module_init(re_sim_init);

static void __exit re_sim_exit(void)
{
	/* The driver unbinds first, while the board still answers */
	simbus_unregister_board(&re_sim->board);
	kthread_stop(re_sim->thread);
	kfree(re_sim);
}
module_exit(re_sim_exit);

MODULE_DESCRIPTION("cellsense simulated reference-electrode front-end (ADS131M04, simbus CS2)");
MODULE_LICENSE("GPL");

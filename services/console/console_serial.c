/* SPDX-License-Identifier: MIT */
/*
 * The console's optional RS-232 port (protocol.md §1.2): open a tty in
 * raw mode, 8 data bits, no parity, 1 stop bit, at one of the unit's
 * baud rates. Speed and flow control are the state's serial.baud and
 * serial.flow (BAUD/FLOW), applied to the open port when they change.
 * The session on it is run by console_session.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "state.h"
#include "console_priv.h"

struct serial_speed {
	unsigned baud;
	speed_t speed;
};

static const struct serial_speed serial_speeds[] = {
	{ 9600, B9600 },
	{ 19200, B19200 },
	{ 38400, B38400 },
	{ 57600, B57600 },
	{ 115200, B115200 },
};

static int
serial_speed(unsigned baud, speed_t *out)
{
	size_t i;

	for (i = 0; i < sizeof(serial_speeds) / sizeof(serial_speeds[0]); i++)
		if (serial_speeds[i].baud == baud) {
			*out = serial_speeds[i].speed;
			return 0;
		}
	return -EINVAL;
}

int
console_serial_settings(unsigned *baud, bool *flow)
{
	char v[16];
	int err;

	if ((err = state_setting_get(SET_BAUD, v, sizeof(v))) < 0)
		return err;
	*baud = (unsigned)strtoul(v, NULL, 10);
	if ((err = state_setting_get(SET_FLOW, v, sizeof(v))) < 0)
		return err;
	*flow = strcmp(v, "1") == 0;
	return 0;
}

int
console_serial_apply(int fd, unsigned baud, bool flow, char *why,
    size_t whylen)
{
	struct termios tio;
	speed_t speed;
	int err;

	if (serial_speed(baud, &speed) < 0) {
		snprintf(why, whylen, "unsupported baud rate %u", baud);
		return -EINVAL;
	}
	if (tcgetattr(fd, &tio) < 0) {
		err = -errno;
		snprintf(why, whylen, "not a terminal: %s", strerror(errno));
		return err;
	}
	cfmakeraw(&tio);
	/* 8N1, receiver on, ignore modem lines (a bare 3-wire cable) */
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CREAD | CLOCAL;
	/* FLOW 1: hardware handshake (RTS/CTS, what termios offers) */
	if (flow)
		tio.c_cflag |= CRTSCTS;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) < 0 || cfsetospeed(&tio, speed) < 0 ||
	    tcsetattr(fd, TCSANOW, &tio) < 0) {
		err = -errno;
		snprintf(why, whylen, "cannot configure: %s", strerror(errno));
		return err;
	}
	return 0;
}

int
console_serial_open(const char *device, unsigned baud, bool flow, char *why,
    size_t whylen)
{
	char reason[128];
	int fd, err;

	fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, whylen, "%s: %s", device, strerror(errno));
		return err;
	}
	if ((err = console_serial_apply(fd, baud, flow, reason,
	    sizeof(reason))) < 0) {
		snprintf(why, whylen, "%s: %s", device, reason);
		close(fd);
		return err;
	}
	return fd;
}

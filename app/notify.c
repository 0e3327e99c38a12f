/*
 * notify.c: the sd_notify(3) protocol, written out by hand.
 *
 * One datagram on an AF_UNIX SOCK_DGRAM socket to the address in
 * $NOTIFY_SOCKET: a path, or with a leading '@' a name in the Linux
 * abstract namespace (the '@' becomes a NUL and the address length is
 * the name's length, with no trailing NUL). The payload is newline
 * separated assignments such as READY=1, STOPPING=1, WATCHDOG=1.
 * See spec/HARDENING.md section 5. No libsystemd.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

/*
 * Sends msg to the service manager. Does nothing if NOTIFY_SOCKET is
 * unset, empty or not a unix address; a failed send is logged at debug
 * level only. errno is preserved.
 */
void
notify_send(const char *msg)
{
	struct sockaddr_un	 sun;
	const char		*path;
	socklen_t		 salen;
	size_t			 len;
	int			 fd, saved = errno;

	if (msg == NULL || (path = getenv("NOTIFY_SOCKET")) == NULL)
		return;
	len = strlen(path);
	if (len < 2 || (path[0] != '/' && path[0] != '@') ||
	    len >= sizeof(sun.sun_path)) {
		log_debug("%s: unsupported NOTIFY_SOCKET", __func__);
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_debug("%s: socket: %s", __func__, strerror(errno));
		errno = saved;
		return;
	}
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, salen) == -1)
		log_debug("%s: sendto: %s", __func__, strerror(errno));
	close(fd);
	errno = saved;
}

/* SMTP probe of a receiving MX: connect, banner, EHLO (HELO when the
 * server does not know EHLO), MAIL FROM, RCPT TO, QUIT -- never DATA, so
 * nothing is delivered. Each step has its own timeout; a refusal is
 * classified by the SMTP reply classifier. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "precheck_int.h"

#define REPLY_MAX 4096

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events until the deadline: 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short ev, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = {fd, ev, 0};
        int n;
        if (left <= 0)
            return 0;
        /* a long deadline waits in slices: a negative int would be "forever" */
        n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -1 : n > 0;
    }
}

static int send_all(int fd, const char *s, size_t len, unsigned timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (len) {
        ssize_t w;
        if (wait_fd(fd, POLLOUT, deadline) <= 0)
            return -1;
        w = send(fd, s, len, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w <= 0)
            return -1;
        s += w;
        len -= (size_t)w;
    }
    return 0;
}

int mtarep__pc_smtp_reply_parse(const char *raw, size_t have, char *buf, size_t cap,
                                size_t *used)
{
    size_t line = 0, bl = 0;
    const char *nl;

    if (cap)
        buf[0] = 0;
    while ((nl = memchr(raw + line, '\n', have - line)) != NULL) {
        size_t len = (size_t)(nl - (raw + line));
        const char *l = raw + line;
        if (len && l[len - 1] == '\r')
            len--;
        if (len < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
            l[2] > '9' || (len > 3 && l[3] != ' ' && l[3] != '-'))
            return -1;
        /* lines joined by " ", cut at cap */
        if (cap && bl + len + 2 < cap) {
            if (bl)
                buf[bl++] = ' ';
            memcpy(buf + bl, l, len);
            bl += len;
            buf[bl] = 0;
        }
        line = (size_t)(nl - raw) + 1;
        if (len == 3 || l[3] == ' ') {
            *used = line;
            return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
        }
    }
    return 0;
}

/* Read one (possibly multi-line) reply into buf, lines joined by " ".
 * Returns the code, 0 on timeout, -1 on a closed or broken connection or
 * a malformed reply (or one longer than REPLY_MAX). */
static int read_reply(int fd, char *buf, size_t cap, unsigned timeout_ms)
{
    char raw[REPLY_MAX];
    size_t have = 0, used = 0;
    long long deadline = now_ms() + timeout_ms;

    for (;;) {
        ssize_t r;
        int code = mtarep__pc_smtp_reply_parse(raw, have, buf, cap, &used);
        if (code != 0)
            return code;
        if (have == sizeof raw)
            return -1;
        if (wait_fd(fd, POLLIN, deadline) <= 0)
            return 0;
        r = recv(fd, raw + have, sizeof raw - have, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0)
            return -1;
        have += (size_t)r;
    }
}

/* Printable copy for evidence (the reply comes from the network). */
static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

static void refused(const pc_probe *p, pc_list *out, pc_check *c, const char *step, int code,
                    char *reply)
{
    mtarep_smtpreply_info info;
    clean(reply);
    pc_evidence(out, c, "%s refused: %s", step, reply);
    if (mtarep_smtpreply_classify(&info, reply) == MTAREP_OK) {
        int serious = info.category == MTAREP_SMTPREPLY_REPUTATION ||
                      info.category == MTAREP_SMTPREPLY_BLOCKLIST ||
                      info.category == MTAREP_SMTPREPLY_RDNS ||
                      info.category == MTAREP_SMTPREPLY_AUTHENTICATION;
        pc_evidence(out, c, "classified: %s%s%s%s%s",
                    mtarep_smtpreply_category_name(info.category),
                    info.receiver ? " (" : "", info.receiver ? info.receiver : "",
                    info.receiver ? ")" : "", info.blocklist[0] ? ", names a blocklist" : "");
        if (info.category == MTAREP_SMTPREPLY_MAILBOX && strcmp(step, "RCPT TO") == 0) {
            /* the probe's recipient, not the sender, was refused: the
             * sender's acceptance was not seen */
            pc_raise(c, PC_UNKNOWN);
            pc_advice(out, c, "The MX refused the probe's recipient (%s), which says nothing "
                      "about the sender: probe again with an address that exists there "
                      "(--probe-rcpt, probe_rcpt).", p->rcpt);
            return;
        }
        if (code < 500 && info.category == MTAREP_SMTPREPLY_OTHER) {
            /* deferred, no cause stated (greylisting, a local error):
             * whether this sender is accepted was not seen */
            pc_raise(c, PC_UNKNOWN);
            pc_advice(out, c, "The MX deferred without naming a cause (greylisting, a local "
                      "error), so the probe could not see whether it accepts this sender: "
                      "probe again in a few minutes.");
            return;
        }
        pc_raise(c, code >= 500 || serious ? PC_PROBLEM : PC_WARNING);
        pc_advice(out, c, "%s", info.advice);
    } else {
        pc_raise(c, code >= 500 ? PC_PROBLEM : PC_UNKNOWN);
    }
}

void mtarep__pc_smtp_probe(const pc_probe *p, const char *addr, pc_list *out)
{
    pc_check *c = pc_add(out, "smtp", PC_OK);
    struct sockaddr_storage ss;
    socklen_t sl;
    char reply[REPLY_MAX], cmd[700];
    int fd = -1, code, soerr = 0;
    socklen_t el = sizeof soerr;
    long long deadline;
    struct {
        const char *step;
        int kind; /* 0 EHLO, 1 MAIL, 2 RCPT */
    } steps[] = {{"EHLO", 0}, {"MAIL FROM", 1}, {"RCPT TO", 2}};

    if (!c)
        return;
    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)p->port);
        sl = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)p->port);
        sl = sizeof(struct sockaddr_in6);
    } else {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "no usable address for %s", p->host);
        return;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "socket: %s", strerror(errno));
        return;
    }
    deadline = now_ms() + p->timeout_ms;
    if ((connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) ||
        wait_fd(fd, POLLOUT, deadline) <= 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 || soerr != 0) {
        int e = soerr ? soerr : errno;
        pc_raise(c, PC_UNKNOWN);
        if (now_ms() >= deadline)
            pc_evidence(out, c, "connect to %s port %u: timeout after %u ms", addr, p->port,
                        p->timeout_ms);
        else
            pc_evidence(out, c, "connect to %s port %u: %s", addr, p->port, strerror(e));
        pc_advice(out, c, "The MX could not be reached from here (port 25 is often blocked "
                  "on end-user and cloud networks): probe from the sending host.");
        close(fd);
        return;
    }
    pc_evidence(out, c, "connected to %s port %u", addr, p->port);
    code = read_reply(fd, reply, sizeof reply, p->timeout_ms);
    if (code <= 0) {
        pc_raise(c, PC_UNKNOWN);
        pc_evidence(out, c, "banner: %s", code == 0 ? "timeout" : "connection closed or "
                    "malformed reply");
        close(fd);
        return;
    }
    clean(reply);
    if (code >= 400) {
        refused(p, out, c, "connection", code, reply);
        close(fd);
        return;
    }
    pc_evidence(out, c, "banner: %s", reply);
    for (int i = 0; i < (int)(sizeof steps / sizeof *steps); i++) {
        if (steps[i].kind == 0)
            snprintf(cmd, sizeof cmd, "%s %s\r\n", steps[i].step, p->helo);
        else if (steps[i].kind == 1)
            snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>\r\n", p->from);
        else
            snprintf(cmd, sizeof cmd, "RCPT TO:<%s>\r\n", p->rcpt);
        if (send_all(fd, cmd, strlen(cmd), p->timeout_ms) != 0 ||
            (code = read_reply(fd, reply, sizeof reply, p->timeout_ms)) <= 0) {
            pc_raise(c, PC_UNKNOWN);
            pc_evidence(out, c, "%s: %s", steps[i].step,
                        code == 0 ? "timeout" : "connection closed or malformed reply");
            close(fd);
            return;
        }
        if (steps[i].kind == 0 && !strcmp(steps[i].step, "EHLO") &&
            (code == 500 || code == 502)) {
            /* An old server that does not know EHLO: RFC 5321 4.1.4 lets
             * the client fall back to HELO; a refusal is not about us. */
            clean(reply);
            pc_evidence(out, c, "EHLO not supported (%s), trying HELO", reply);
            steps[i--].step = "HELO"; /* the same step again, as HELO */
            continue;
        }
        if (code >= 400) {
            refused(p, out, c, steps[i].step, code, reply);
            break;
        }
        clean(reply);
        /* EHLO lists extensions: the first line is enough */
        if (steps[i].kind == 0 && strlen(reply) > 120)
            strcpy(reply + 117, "...");
        pc_evidence(out, c, "%s: %s", steps[i].step, reply);
    }
    (void)send_all(fd, "QUIT\r\n", 6, p->timeout_ms);
    (void)read_reply(fd, reply, sizeof reply, p->timeout_ms < 2000 ? p->timeout_ms : 2000);
    close(fd);
    if (c->status == PC_OK)
        pc_evidence(out, c, "accepted up to RCPT TO (DATA never sent)");
}

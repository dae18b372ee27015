/*
 * The host lookup of pgpool-II 4.6.2+/4.7's libpcp (pcp_connect in
 * src/libs/pcp/pcp.c at V4_7_2), cut down to its failure: the same
 * getaddrinfo call, hints and message, printed as pcp_frontend_client.c
 * prints a connection error (the message, a newline, exit 1). Built by the
 * e2e suite as the oracle of PCPCTL_COMPAT=4.7's unknown-host message, since
 * no 4.7 build is in the test set-up. Takes the tools' -h and -p.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *host = NULL;
	int			port = 9898;
	int			c;
	char		portstr[16];
	struct addrinfo hints;
	struct addrinfo *res;
	int			ret;

	while ((c = getopt(argc, argv, "h:p:U:w")) != -1)
	{
		if (c == 'h')
			host = optarg;
		else if (c == 'p')
			port = atoi(optarg);
	}
	if (host == NULL)
		return 2;
	snprintf(portstr, sizeof(portstr), "%d", port);
	memset(&hints, 0, sizeof(struct addrinfo));
	hints.ai_family = PF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((ret = getaddrinfo(host, portstr, &hints, &res)) != 0)
	{
		fprintf(stderr, "ERROR: getaddrinfo failed \"%s\"\n", gai_strerror(ret));
		return 1;
	}
	freeaddrinfo(res);
	fprintf(stderr, "resolved\n");
	return 3;
}

/* SPDX-License-Identifier: MIT */
/* converge-console's discover and set-address verbs (docs/discovery.md). */
#ifndef CONVERGE_CONSOLE_DISCOVER_H
#define CONVERGE_CONSOLE_DISCOVER_H

/*
 * Run argv[0] if it is "discover" or "set-address" (argv[0] is the verb);
 * user and pass authenticate set-address. The exit status, or -1 if the
 * verb is not one of these.
 */
int console_discover_main(int argc, char **argv, const char *user,
    const char *pass);

#endif

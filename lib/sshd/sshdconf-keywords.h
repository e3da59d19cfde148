/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Every keyword OpenSSH 9.2's sshd accepts as Debian 12 builds it (with PAM,
 * GSSAPI key exchange and Kerberos, and Debian's DebianBanner), whether it
 * may appear inside a Match block, and the shape of its arguments.  The
 * table was established by asking the installed sshd about each keyword
 * (`sshd -T` on a one-line file, then inside `Match User`), and is checked
 * against it by the differential suite.
 */

/* How sshd reads the arguments: decides validation, the "extra arguments"
 * check and how the value is kept. */
typedef enum SshdArgKind {
        SSHD_ARG_FLAG,                  /* yes | no */
        SSHD_ARG_ADDRESS_FAMILY,        /* any | inet | inet6 */
        SSHD_ARG_PERMIT_ROOT_LOGIN,
        SSHD_ARG_COMPRESSION,
        SSHD_ARG_GATEWAY_PORTS,
        SSHD_ARG_FORWARDING,
        SSHD_ARG_IGNORE_RHOSTS,
        SSHD_ARG_INT,
        SSHD_ARG_TIME,
        SSHD_ARG_TIME_OR_NONE,
        SSHD_ARG_FILE,                  /* one path: "missing file name." */
        SSHD_ARG_SOCKET,
        SSHD_ARG_STRING,                /* one argument */
        SSHD_ARG_LOCALUSER,
        SSHD_ARG_ALGOS,                 /* one list of key or signature algorithms */
        SSHD_ARG_CRYPTO,                /* Ciphers, MACs, KexAlgorithms */
        SSHD_ARG_GSS_KEX,               /* GSSAPIKexAlgorithms (Debian's GSSAPI key exchange) */
        SSHD_ARG_USERS,
        SSHD_ARG_GROUPS,
        SSHD_ARG_ACCEPT_ENV,
        SSHD_ARG_SET_ENV,
        SSHD_ARG_LIST,                  /* any number of non-empty arguments */
        SSHD_ARG_LOG_VERBOSE,
        SSHD_ARG_PUBKEY_AUTH_OPTIONS,
        SSHD_ARG_REST,                  /* the rest of the line, verbatim */
        SSHD_ARG_COMMAND,               /* the rest of the line, an absolute path or none */
        SSHD_ARG_PORT,
        SSHD_ARG_LISTEN_ADDRESS,
        SSHD_ARG_MAX_STARTUPS,
        SSHD_ARG_PER_SOURCE_MAX_STARTUPS,
        SSHD_ARG_PER_SOURCE_NETBLOCK,
        SSHD_ARG_SUBSYSTEM,
        SSHD_ARG_INCLUDE,
        SSHD_ARG_MATCH,
        SSHD_ARG_LOG_LEVEL,
        SSHD_ARG_LOG_FACILITY,
        SSHD_ARG_PERMIT_TUNNEL,
        SSHD_ARG_REKEY_LIMIT,
        SSHD_ARG_IPQOS,
        SSHD_ARG_BIND_MASK,
        SSHD_ARG_FINGERPRINT_HASH,
        SSHD_ARG_RDOMAIN,
        SSHD_ARG_CHANNEL_TIMEOUT,
        SSHD_ARG_AUTH_METHODS,
        SSHD_ARG_PERMIT_OPEN,
        SSHD_ARG_PERMIT_LISTEN,
        SSHD_ARG_IGNORED,               /* accepted silently, arguments ignored */
        SSHD_ARG_DEPRECATED,            /* accepted with a "Deprecated option" note */
        SSHD_ARG_UNSUPPORTED,           /* accepted with an "Unsupported option" note */
        _SSHD_ARG_KIND_MAX,
} SshdArgKind;

#define SSHD_KWF_MATCH 0x1              /* allowed inside a Match block */

#define SSHD_KEYWORDS(X) \
        X(ACCEPT_ENV,                          "AcceptEnv",                          SSHD_KWF_MATCH, SSHD_ARG_ACCEPT_ENV) \
        X(ADDRESS_FAMILY,                      "AddressFamily",                      0, SSHD_ARG_ADDRESS_FAMILY) \
        X(AFS_TOKEN_PASSING,                   "AFSTokenPassing",                    0, SSHD_ARG_UNSUPPORTED) \
        X(ALLOW_AGENT_FORWARDING,              "AllowAgentForwarding",               SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(ALLOW_GROUPS,                        "AllowGroups",                        SSHD_KWF_MATCH, SSHD_ARG_GROUPS) \
        X(ALLOW_STREAM_LOCAL_FORWARDING,       "AllowStreamLocalForwarding",         SSHD_KWF_MATCH, SSHD_ARG_FORWARDING) \
        X(ALLOW_TCP_FORWARDING,                "AllowTcpForwarding",                 SSHD_KWF_MATCH, SSHD_ARG_FORWARDING) \
        X(ALLOW_USERS,                         "AllowUsers",                         SSHD_KWF_MATCH, SSHD_ARG_USERS) \
        X(AUTHENTICATION_METHODS,              "AuthenticationMethods",              SSHD_KWF_MATCH, SSHD_ARG_AUTH_METHODS) \
        X(AUTHORIZED_KEYS_COMMAND,             "AuthorizedKeysCommand",              SSHD_KWF_MATCH, SSHD_ARG_COMMAND) \
        X(AUTHORIZED_KEYS_COMMAND_USER,        "AuthorizedKeysCommandUser",          SSHD_KWF_MATCH, SSHD_ARG_LOCALUSER) \
        X(AUTHORIZED_KEYS_FILE,                "AuthorizedKeysFile",                 SSHD_KWF_MATCH, SSHD_ARG_LIST) \
        X(AUTHORIZED_KEYS_FILE2,               "AuthorizedKeysFile2",                SSHD_KWF_MATCH, SSHD_ARG_DEPRECATED) \
        X(AUTHORIZED_PRINCIPALS_COMMAND,       "AuthorizedPrincipalsCommand",        SSHD_KWF_MATCH, SSHD_ARG_COMMAND) \
        X(AUTHORIZED_PRINCIPALS_COMMAND_USER,  "AuthorizedPrincipalsCommandUser",    SSHD_KWF_MATCH, SSHD_ARG_LOCALUSER) \
        X(AUTHORIZED_PRINCIPALS_FILE,          "AuthorizedPrincipalsFile",           SSHD_KWF_MATCH, SSHD_ARG_STRING) \
        X(BANNER,                              "Banner",                             SSHD_KWF_MATCH, SSHD_ARG_FILE) \
        X(CA_SIGNATURE_ALGORITHMS,             "CASignatureAlgorithms",              SSHD_KWF_MATCH, SSHD_ARG_ALGOS) \
        X(CHALLENGE_RESPONSE_AUTHENTICATION,   "ChallengeResponseAuthentication",    SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(CHANNEL_TIMEOUT,                     "ChannelTimeout",                     SSHD_KWF_MATCH, SSHD_ARG_CHANNEL_TIMEOUT) \
        X(CHECK_MAIL,                          "CheckMail",                          0, SSHD_ARG_DEPRECATED) \
        X(CHROOT_DIRECTORY,                    "ChrootDirectory",                    SSHD_KWF_MATCH, SSHD_ARG_STRING) \
        X(CIPHERS,                             "Ciphers",                            0, SSHD_ARG_CRYPTO) \
        X(CLIENT_ALIVE_COUNT_MAX,              "ClientAliveCountMax",                SSHD_KWF_MATCH, SSHD_ARG_INT) \
        X(CLIENT_ALIVE_INTERVAL,               "ClientAliveInterval",                SSHD_KWF_MATCH, SSHD_ARG_TIME) \
        X(COMPRESSION,                         "Compression",                        0, SSHD_ARG_COMPRESSION) \
        X(DEBIAN_BANNER,                       "DebianBanner",                       0, SSHD_ARG_FLAG) \
        X(DENY_GROUPS,                         "DenyGroups",                         SSHD_KWF_MATCH, SSHD_ARG_GROUPS) \
        X(DENY_USERS,                          "DenyUsers",                          SSHD_KWF_MATCH, SSHD_ARG_USERS) \
        X(DISABLE_FORWARDING,                  "DisableForwarding",                  SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(DSA_AUTHENTICATION,                  "DSAAuthentication",                  0, SSHD_ARG_FLAG) \
        X(EXPOSE_AUTH_INFO,                    "ExposeAuthInfo",                     SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(FINGERPRINT_HASH,                    "FingerprintHash",                    0, SSHD_ARG_FINGERPRINT_HASH) \
        X(FORCE_COMMAND,                       "ForceCommand",                       SSHD_KWF_MATCH, SSHD_ARG_REST) \
        X(GATEWAY_PORTS,                       "GatewayPorts",                       SSHD_KWF_MATCH, SSHD_ARG_GATEWAY_PORTS) \
        X(GSSAPI_AUTHENTICATION,               "GSSAPIAuthentication",               SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(GSSAPI_CLEANUP_CREDENTIALS,          "GSSAPICleanupCredentials",           0, SSHD_ARG_FLAG) \
        X(GSSAPI_CLEANUP_CREDS,                "GSSAPICleanupCreds",                 0, SSHD_ARG_FLAG) \
        X(GSSAPI_KEX_ALGORITHMS,               "GSSAPIKexAlgorithms",                0, SSHD_ARG_GSS_KEX) \
        X(GSSAPI_KEY_EXCHANGE,                 "GSSAPIKeyExchange",                  0, SSHD_ARG_FLAG) \
        X(GSSAPI_STORE_CREDENTIALS_ON_REKEY,   "GSSAPIStoreCredentialsOnRekey",      0, SSHD_ARG_FLAG) \
        X(GSSAPI_STRICT_ACCEPTOR_CHECK,        "GSSAPIStrictAcceptorCheck",          0, SSHD_ARG_FLAG) \
        X(GSSAPI_USE_SESSION_CRED_CACHE,       "GSSAPIUseSessionCredCache",          0, SSHD_ARG_UNSUPPORTED) \
        X(GSS_USE_SESSION_CCACHE,              "GSSUseSessionCCache",                0, SSHD_ARG_UNSUPPORTED) \
        X(HOSTBASED_ACCEPTED_ALGORITHMS,       "HostbasedAcceptedAlgorithms",        SSHD_KWF_MATCH, SSHD_ARG_ALGOS) \
        X(HOSTBASED_ACCEPTED_KEY_TYPES,        "HostbasedAcceptedKeyTypes",          SSHD_KWF_MATCH, SSHD_ARG_ALGOS) \
        X(HOSTBASED_AUTHENTICATION,            "HostbasedAuthentication",            SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(HOSTBASED_USES_NAME_FROM_PACKET_ONLY, "HostbasedUsesNameFromPacketOnly",    SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(HOST_CERTIFICATE,                    "HostCertificate",                    0, SSHD_ARG_FILE) \
        X(HOST_DSA_KEY,                        "HostDSAKey",                         0, SSHD_ARG_FILE) \
        X(HOST_KEY,                            "HostKey",                            0, SSHD_ARG_FILE) \
        X(HOST_KEY_AGENT,                      "HostKeyAgent",                       0, SSHD_ARG_SOCKET) \
        X(HOST_KEY_ALGORITHMS,                 "HostKeyAlgorithms",                  0, SSHD_ARG_ALGOS) \
        X(IGNORE_RHOSTS,                       "IgnoreRhosts",                       SSHD_KWF_MATCH, SSHD_ARG_IGNORE_RHOSTS) \
        X(IGNORE_USER_KNOWN_HOSTS,             "IgnoreUserKnownHosts",               0, SSHD_ARG_FLAG) \
        X(INCLUDE,                             "Include",                            SSHD_KWF_MATCH, SSHD_ARG_INCLUDE) \
        X(IPQOS,                               "IPQoS",                              SSHD_KWF_MATCH, SSHD_ARG_IPQOS) \
        X(KBD_INTERACTIVE_AUTHENTICATION,      "KbdInteractiveAuthentication",       SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(KEEP_ALIVE,                          "KeepAlive",                          0, SSHD_ARG_FLAG) \
        X(KERBEROS_AUTHENTICATION,             "KerberosAuthentication",             SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(KERBEROS_GET_AFS_TOKEN,              "KerberosGetAFSToken",                0, SSHD_ARG_UNSUPPORTED) \
        X(KERBEROS_OR_LOCAL_PASSWD,            "KerberosOrLocalPasswd",              0, SSHD_ARG_FLAG) \
        X(KERBEROS_TGT_PASSING,                "KerberosTgtPassing",                 0, SSHD_ARG_UNSUPPORTED) \
        X(KERBEROS_TICKET_CLEANUP,             "KerberosTicketCleanup",              0, SSHD_ARG_FLAG) \
        X(KEX_ALGORITHMS,                      "KexAlgorithms",                      0, SSHD_ARG_CRYPTO) \
        X(KEY_REGENERATION_INTERVAL,           "KeyRegenerationInterval",            0, SSHD_ARG_DEPRECATED) \
        X(LISTEN_ADDRESS,                      "ListenAddress",                      0, SSHD_ARG_LISTEN_ADDRESS) \
        X(LOGIN_GRACE_TIME,                    "LoginGraceTime",                     0, SSHD_ARG_TIME) \
        X(LOG_LEVEL,                           "LogLevel",                           SSHD_KWF_MATCH, SSHD_ARG_LOG_LEVEL) \
        X(LOG_VERBOSE,                         "LogVerbose",                         SSHD_KWF_MATCH, SSHD_ARG_LOG_VERBOSE) \
        X(MACS,                                "MACs",                               0, SSHD_ARG_CRYPTO) \
        X(MATCH,                               "Match",                              SSHD_KWF_MATCH, SSHD_ARG_MATCH) \
        X(MAX_AUTH_TRIES,                      "MaxAuthTries",                       SSHD_KWF_MATCH, SSHD_ARG_INT) \
        X(MAX_SESSIONS,                        "MaxSessions",                        SSHD_KWF_MATCH, SSHD_ARG_INT) \
        X(MAX_STARTUPS,                        "MaxStartups",                        0, SSHD_ARG_MAX_STARTUPS) \
        X(MODULI_FILE,                         "ModuliFile",                         0, SSHD_ARG_FILE) \
        X(PAM_AUTHENTICATION_VIA_KBD_INT,      "PAMAuthenticationViaKbdInt",         0, SSHD_ARG_DEPRECATED) \
        X(PASSWORD_AUTHENTICATION,             "PasswordAuthentication",             SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(PERMIT_BLACKLISTED_KEYS,             "PermitBlacklistedKeys",              0, SSHD_ARG_DEPRECATED) \
        X(PERMIT_EMPTY_PASSWORDS,              "PermitEmptyPasswords",               SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(PERMIT_LISTEN,                       "PermitListen",                       SSHD_KWF_MATCH, SSHD_ARG_PERMIT_LISTEN) \
        X(PERMIT_OPEN,                         "PermitOpen",                         SSHD_KWF_MATCH, SSHD_ARG_PERMIT_OPEN) \
        X(PERMIT_ROOT_LOGIN,                   "PermitRootLogin",                    SSHD_KWF_MATCH, SSHD_ARG_PERMIT_ROOT_LOGIN) \
        X(PERMIT_TTY,                          "PermitTTY",                          SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(PERMIT_TUNNEL,                       "PermitTunnel",                       SSHD_KWF_MATCH, SSHD_ARG_PERMIT_TUNNEL) \
        X(PERMIT_USER_ENVIRONMENT,             "PermitUserEnvironment",              0, SSHD_ARG_STRING) \
        X(PERMIT_USER_RC,                      "PermitUserRC",                       SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(PER_SOURCE_MAX_STARTUPS,             "PerSourceMaxStartups",               0, SSHD_ARG_PER_SOURCE_MAX_STARTUPS) \
        X(PER_SOURCE_NET_BLOCK_SIZE,           "PerSourceNetBlockSize",              0, SSHD_ARG_PER_SOURCE_NETBLOCK) \
        X(PID_FILE,                            "PidFile",                            0, SSHD_ARG_FILE) \
        X(PORT,                                "Port",                               0, SSHD_ARG_PORT) \
        X(PRINT_LAST_LOG,                      "PrintLastLog",                       0, SSHD_ARG_FLAG) \
        X(PRINT_MOTD,                          "PrintMotd",                          0, SSHD_ARG_FLAG) \
        X(PROTOCOL,                            "Protocol",                           0, SSHD_ARG_IGNORED) \
        X(PUBKEY_ACCEPTED_ALGORITHMS,          "PubkeyAcceptedAlgorithms",           SSHD_KWF_MATCH, SSHD_ARG_ALGOS) \
        X(PUBKEY_ACCEPTED_KEY_TYPES,           "PubkeyAcceptedKeyTypes",             SSHD_KWF_MATCH, SSHD_ARG_ALGOS) \
        X(PUBKEY_AUTHENTICATION,               "PubkeyAuthentication",               SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(PUBKEY_AUTH_OPTIONS,                 "PubkeyAuthOptions",                  SSHD_KWF_MATCH, SSHD_ARG_PUBKEY_AUTH_OPTIONS) \
        X(RDOMAIN,                             "RDomain",                            SSHD_KWF_MATCH, SSHD_ARG_RDOMAIN) \
        X(REKEY_LIMIT,                         "RekeyLimit",                         SSHD_KWF_MATCH, SSHD_ARG_REKEY_LIMIT) \
        X(REQUIRED_RSA_SIZE,                   "RequiredRSASize",                    SSHD_KWF_MATCH, SSHD_ARG_INT) \
        X(REVERSE_MAPPING_CHECK,               "ReverseMappingCheck",                0, SSHD_ARG_DEPRECATED) \
        X(REVOKED_KEYS,                        "RevokedKeys",                        SSHD_KWF_MATCH, SSHD_ARG_FILE) \
        X(RHOSTS_AUTHENTICATION,               "RhostsAuthentication",               0, SSHD_ARG_DEPRECATED) \
        X(RHOSTS_RSA_AUTHENTICATION,           "RhostsRSAAuthentication",            SSHD_KWF_MATCH, SSHD_ARG_DEPRECATED) \
        X(RSA_AUTHENTICATION,                  "RSAAuthentication",                  SSHD_KWF_MATCH, SSHD_ARG_DEPRECATED) \
        X(SECURITY_KEY_PROVIDER,               "SecurityKeyProvider",                0, SSHD_ARG_STRING) \
        X(SERVER_KEY_BITS,                     "ServerKeyBits",                      0, SSHD_ARG_DEPRECATED) \
        X(SET_ENV,                             "SetEnv",                             SSHD_KWF_MATCH, SSHD_ARG_SET_ENV) \
        X(SKEY_AUTHENTICATION,                 "SKeyAuthentication",                 SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(STREAM_LOCAL_BIND_MASK,              "StreamLocalBindMask",                SSHD_KWF_MATCH, SSHD_ARG_BIND_MASK) \
        X(STREAM_LOCAL_BIND_UNLINK,            "StreamLocalBindUnlink",              SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(STRICT_MODES,                        "StrictModes",                        0, SSHD_ARG_FLAG) \
        X(SUBSYSTEM,                           "Subsystem",                          0, SSHD_ARG_SUBSYSTEM) \
        X(SYSLOG_FACILITY,                     "SyslogFacility",                     0, SSHD_ARG_LOG_FACILITY) \
        X(TCP_KEEP_ALIVE,                      "TCPKeepAlive",                       0, SSHD_ARG_FLAG) \
        X(TRUSTED_USER_CA_KEYS,                "TrustedUserCAKeys",                  SSHD_KWF_MATCH, SSHD_ARG_FILE) \
        X(UNUSED_CONNECTION_TIMEOUT,           "UnusedConnectionTimeout",            SSHD_KWF_MATCH, SSHD_ARG_TIME_OR_NONE) \
        X(USE_DNS,                             "UseDNS",                             0, SSHD_ARG_FLAG) \
        X(USE_LOGIN,                           "UseLogin",                           0, SSHD_ARG_DEPRECATED) \
        X(USE_PAM,                             "UsePAM",                             0, SSHD_ARG_FLAG) \
        X(USE_PRIVILEGE_SEPARATION,            "UsePrivilegeSeparation",             0, SSHD_ARG_DEPRECATED) \
        X(VERIFY_REVERSE_MAPPING,              "VerifyReverseMapping",               0, SSHD_ARG_DEPRECATED) \
        X(VERSION_ADDENDUM,                    "VersionAddendum",                    0, SSHD_ARG_REST) \
        X(X11_DISPLAY_OFFSET,                  "X11DisplayOffset",                   SSHD_KWF_MATCH, SSHD_ARG_INT) \
        X(X11_FORWARDING,                      "X11Forwarding",                      SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(X11_USE_LOCALHOST,                   "X11UseLocalhost",                    SSHD_KWF_MATCH, SSHD_ARG_FLAG) \
        X(XAUTH_LOCATION,                      "XAuthLocation",                      0, SSHD_ARG_FILE) \
        /* end */

typedef enum SshdKeywordId {
#define SSHD_KEYWORD_ENUM(id, name, flags, kind) SSHD_KW_##id,
        SSHD_KEYWORDS(SSHD_KEYWORD_ENUM)
#undef SSHD_KEYWORD_ENUM
        _SSHD_KW_MAX,
} SshdKeywordId;

typedef struct SshdKeyword {
        SshdKeywordId id;
        const char *name;               /* as sshd_config(5) spells it */
        unsigned flags;
        SshdArgKind kind;
} SshdKeyword;

/* Case-insensitive, as sshd's parse_token(); NULL when sshd would say
 * "Bad configuration option". */
const SshdKeyword *sshd_keyword_lookup(const char *name);
const SshdKeyword *sshd_keyword_by_id(SshdKeywordId id);

/* The option a keyword sets: aliases map to the keyword they stand for
 * (DSAAuthentication to PubkeyAuthentication, HostDSAKey to HostKey, ...). */
SshdKeywordId sshd_keyword_option(SshdKeywordId id);

divert(-1)dnl
#-----------------------------------------------------------------------------
# $Sendmail: autoconf.m4,v 8.18.1 2024-10-25 21:19:22 debian Exp $
#
# Copyright (c) 2001-2010 Richard Nelson.  All Rights Reserved.
#
# cf/debian/autoconf.m4.  Generated from autoconf.m4.in by configure.
#
# m4 autoconf config file for building Sendmail 8.18.1-6~bpo12+1
#
# Note: the .in file supports 8.15.0 - 9.0.0, but the generated
#	file is customized to the version noted above.
#
#-----------------------------------------------------------------------------
#
divert(0)dnl
VERSIONID(`$Id: autoconf.m4,v 8.18.1-6~bpo12+1 2024-10-25 21:19:22 debian Exp $')
dnl #
dnl #---------------------------------------------------------------------
dnl # Export (from autoconf to m4) some items of dubious value
dnl #---------------------------------------------------------------------
define(`SM_VERS',			`8.17.1')dnl
define(`SM_DATE',			`2010-10-11 17:53:00')dnl
define(`SM_MINVERS',		`8.15.0')dnl
define(`SM_MAXVERS',		`9.0.0')dnl
define(`SM_CPYRT',			`2010')dnl
define(`sm_date',			`2024-10-25')dnl
define(`sm_time',			`21:19:22')dnl
define(`sm_utc',			`+0200')dnl
define(`sm_version',		`8.18.1')dnl
define(`sm_revision',		`-6~bpo12+1')dnl
define(`sm_version_v',		`8')dnl
define(`sm_version_r',		`18')dnl
define(`sm_version_major',	`8.18')dnl
define(`sm_version_minor',	`1')dnl
define(`sm_version_beta',	`')dnl
define(`sm_version_math',	`528897')dnl
define(`sm_enable_regex',	`yes')dnl
define(`sm_enable_ndbm',	`no')dnl
define(`sm_enable_newdb',	`yes')dnl
define(`sm_newdb_lib',		`-ldb')dnl
define(`sm_enable_nis',		`yes')dnl
define(`sm_enable_nisplus',	`yes')dnl
define(`sm_enable_ldap',	`yes')dnl
define(`sm_ldap_lib',		`-lldap -llber')dnl
define(`sm_enable_hesiod',	`no')dnl
define(`sm_hesiod_parms',	`')dnl
define(`sm_enable_tcpd',	`yes')dnl
define(`sm_enable_ipv6',	`yes')dnl
define(`sm_enable_maillock',`yes')dnl
define(`sm_enable_milter',	`yes')dnl
define(`sm_enable_sfio',	`no')dnl
define(`sm_enable_auth',	`yes')dnl
define(`sm_auth_lib',		`2')dnl
define(`sm_enable_tls',		`yes')dnl
define(`sm_enable_shm',		`yes')dnl
define(`sm_ffr',			` -D_FFR_QUEUE_SCHED_DBG -D_FFR_REJECT_NUL_BYTE -D_FFR_SKIP_DOMAINS -D_FFR_NO_PIPE -D_FFR_SHM_STATUS -D_FFR_RHS -D_FFR_MAIL_MACRO -D_FFR_BADRCPT_SHUTDOWN -D_FFR_TLS_ALTNAMES -D_FFR_MTA_STS -D_FFR_RESET_MACRO_GLOBALS -D_FFR_TLS_EC')dnl
define(`sm_m4_ffr',			` define(`_FFR_MAIL_MACRO')')dnl

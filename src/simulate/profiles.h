// Client fingerprints the simulated scanners use: TLS ClientHellos, SSH KEXINITs and TCP stacks of common
// libraries and tools, written from their public source / observed defaults. Only fields fixed per client
// are set here; callers fill the per-session ones (random, session id, server name).
#pragma once

#include <cstdint>

#include "simulate/payloads.h"
#include "simulate/wire.h"

namespace sg::simulate {

ClientHello go_client_hello();       // Go crypto/tls 1.21 defaults (zgrab-style scanners, Go tools)
ClientHello openssl_client_hello();  // OpenSSL 3.0 as curl uses it (ALPN h2, http/1.1)
ClientHello python_client_hello();   // CPython ssl + urllib3 (ALPN http/1.1)
ClientHello chrome_client_hello();   // Chrome 120: GREASE, X25519 share, padding to 512
ClientHello sslv3_client_hello();    // nmap's SSLSessionReq probe: SSL 3.0, no extensions

SshKexInit go_ssh_kexinit();          // golang.org/x/crypto/ssh client
SshKexInit libssh_kexinit();          // libssh 0.9 client
SshKexInit openssh_server_kexinit();  // OpenSSH 9.2 server (the sensor)

// TCP stacks as they arrive at the sensor after `hops` routers.
TcpStack linux_stack(uint8_t hops, bool v6);
TcpStack windows_stack(uint8_t hops, bool v6);
TcpStack masscan_stack(uint8_t hops);
TcpStack nmap_stack(uint8_t hops);
TcpStack sensor_stack(bool v6);  // the honeypot's own Linux stack

}  // namespace sg::simulate

#include "simulate/profiles.h"

namespace sg::simulate {

namespace {

// MSS of a 1500-byte path: 1500 - 20 (IPv4) - 20 (TCP), or - 40 for IPv6.
uint16_t path_mss(bool v6) { return v6 ? 1440 : 1460; }

using namespace tlsext;

}  // namespace

ClientHello go_client_hello() {
  ClientHello h;
  h.ciphers = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014,
               0x009c, 0x009d, 0x002f, 0x0035, 0xc012, 0x000a, 0x1301, 0x1302, 0x1303};
  h.extensions = {server_name,        status_request, supported_groups,
                  ec_point_formats,   session_ticket, signature_algorithms,
                  renegotiation_info, alpn,           sct,
                  supported_versions, key_share,      psk_key_exchange_modes};
  h.supported_groups = {0x001d, 0x0017, 0x0018, 0x0019};
  h.signature_algorithms = {0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401,
                            0x0501, 0x0601, 0x0503, 0x0603, 0x0201, 0x0203};
  h.supported_versions = {0x0304, 0x0303, 0x0302, 0x0301};
  h.key_share = {0x001d};
  return h;
}

ClientHello openssl_client_hello() {
  ClientHello h;
  h.ciphers = {0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f,
               0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009,
               0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff};
  h.extensions = {server_name,
                  ec_point_formats,
                  supported_groups,
                  session_ticket,
                  alpn,
                  encrypt_then_mac,
                  extended_master_secret,
                  post_handshake_auth,
                  signature_algorithms,
                  supported_versions,
                  psk_key_exchange_modes,
                  key_share};
  h.supported_groups = {0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104};
  h.ec_point_formats = {0, 1, 2};
  h.signature_algorithms = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081a, 0x081b, 0x081c,
                            0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501,
                            0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602};
  h.alpn = {"h2", "http/1.1"};
  h.supported_versions = {0x0304, 0x0303};
  h.key_share = {0x001d};
  return h;
}

ClientHello python_client_hello() {
  ClientHello h = openssl_client_hello();
  h.ciphers = {0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0x009f, 0x009e,
               0xccaa, 0xc0af, 0xc0ad, 0xc0ae, 0xc0ac, 0xc024, 0xc028, 0xc023, 0xc027, 0xc00a, 0xc014,
               0xc009, 0xc013, 0xc0a3, 0xc09f, 0xc0a2, 0xc09e, 0x006b, 0x0067, 0x0039, 0x0033, 0x009d,
               0x009c, 0xc0a1, 0xc09d, 0xc0a0, 0xc09c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff};
  h.alpn = {"http/1.1"};
  return h;
}

ClientHello chrome_client_hello() {
  ClientHello h;
  h.grease = true;
  h.ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
               0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  h.extensions = {server_name,
                  extended_master_secret,
                  renegotiation_info,
                  supported_groups,
                  ec_point_formats,
                  session_ticket,
                  alpn,
                  status_request,
                  signature_algorithms,
                  sct,
                  key_share,
                  psk_key_exchange_modes,
                  supported_versions,
                  compress_certificate,
                  application_settings,
                  padding};
  h.supported_groups = {0x001d, 0x0017, 0x0018};
  h.signature_algorithms = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  h.alpn = {"h2", "http/1.1"};
  h.supported_versions = {0x0304, 0x0303};
  h.key_share = {0x001d};
  h.padding_length = 0;  // set by the caller to reach 512 bytes
  return h;
}

ClientHello sslv3_client_hello() {
  ClientHello h;
  h.record_version = 0x0300;
  h.version = 0x0300;
  h.ciphers = {0x0039, 0x0038, 0x0035, 0x0016, 0x0013, 0x000a, 0x0033, 0x0032, 0x002f, 0x0007, 0x0005,
               0x0004, 0x0015, 0x0012, 0x0009, 0x0014, 0x0011, 0x0008, 0x0006, 0x0003, 0x00ff};
  h.ec_point_formats = {};
  return h;
}

SshKexInit go_ssh_kexinit() {
  SshKexInit k;
  k.kex_algorithms = {"curve25519-sha256",          "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
                      "ecdh-sha2-nistp384",         "ecdh-sha2-nistp521",           "diffie-hellman-group14-sha256",
                      "diffie-hellman-group14-sha1"};
  k.host_key_algorithms = {"ecdsa-sha2-nistp256",
                           "ecdsa-sha2-nistp384",
                           "ecdsa-sha2-nistp521",
                           "ssh-ed25519",
                           "rsa-sha2-256",
                           "rsa-sha2-512",
                           "ssh-rsa"};
  k.encryption_c2s = {"aes128-gcm@openssh.com",
                      "aes256-gcm@openssh.com",
                      "chacha20-poly1305@openssh.com",
                      "aes128-ctr",
                      "aes192-ctr",
                      "aes256-ctr"};
  k.encryption_s2c = k.encryption_c2s;
  k.mac_c2s = {"hmac-sha2-256-etm@openssh.com",
               "hmac-sha2-512-etm@openssh.com",
               "hmac-sha2-256",
               "hmac-sha2-512",
               "hmac-sha1",
               "hmac-sha1-96"};
  k.mac_s2c = k.mac_c2s;
  return k;
}

SshKexInit libssh_kexinit() {
  SshKexInit k;
  k.kex_algorithms = {"curve25519-sha256",
                      "curve25519-sha256@libssh.org",
                      "ecdh-sha2-nistp256",
                      "ecdh-sha2-nistp384",
                      "ecdh-sha2-nistp521",
                      "diffie-hellman-group18-sha512",
                      "diffie-hellman-group16-sha512",
                      "diffie-hellman-group-exchange-sha256",
                      "diffie-hellman-group14-sha256",
                      "diffie-hellman-group14-sha1",
                      "diffie-hellman-group1-sha1",
                      "ext-info-c"};
  k.host_key_algorithms = {"ssh-ed25519",
                           "ecdsa-sha2-nistp521",
                           "ecdsa-sha2-nistp384",
                           "ecdsa-sha2-nistp256",
                           "rsa-sha2-512",
                           "rsa-sha2-256",
                           "ssh-rsa",
                           "ssh-dss"};
  k.encryption_c2s = {"chacha20-poly1305@openssh.com",
                      "aes256-gcm@openssh.com",
                      "aes128-gcm@openssh.com",
                      "aes256-ctr",
                      "aes192-ctr",
                      "aes128-ctr",
                      "aes256-cbc",
                      "aes192-cbc",
                      "aes128-cbc",
                      "blowfish-cbc",
                      "3des-cbc"};
  k.encryption_s2c = k.encryption_c2s;
  k.mac_c2s = {"hmac-sha2-256-etm@openssh.com",
               "hmac-sha2-512-etm@openssh.com",
               "hmac-sha1-etm@openssh.com",
               "hmac-sha2-256",
               "hmac-sha2-512",
               "hmac-sha1"};
  k.mac_s2c = k.mac_c2s;
  k.compression_c2s = {"none", "zlib@openssh.com", "zlib"};
  k.compression_s2c = k.compression_c2s;
  return k;
}

SshKexInit openssh_server_kexinit() {
  SshKexInit k;
  k.kex_algorithms = {"sntrup761x25519-sha512@openssh.com",
                      "curve25519-sha256",
                      "curve25519-sha256@libssh.org",
                      "ecdh-sha2-nistp256",
                      "ecdh-sha2-nistp384",
                      "ecdh-sha2-nistp521",
                      "diffie-hellman-group-exchange-sha256",
                      "diffie-hellman-group16-sha512",
                      "diffie-hellman-group18-sha512",
                      "diffie-hellman-group14-sha256",
                      "kex-strict-s-v00@openssh.com"};
  k.host_key_algorithms = {"rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"};
  k.encryption_c2s = {
      "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
      "aes256-gcm@openssh.com"};
  k.encryption_s2c = k.encryption_c2s;
  k.mac_c2s = {"umac-64-etm@openssh.com",
               "umac-128-etm@openssh.com",
               "hmac-sha2-256-etm@openssh.com",
               "hmac-sha2-512-etm@openssh.com",
               "hmac-sha1-etm@openssh.com",
               "umac-64@openssh.com",
               "umac-128@openssh.com",
               "hmac-sha2-256",
               "hmac-sha2-512",
               "hmac-sha1"};
  k.mac_s2c = k.mac_c2s;
  k.compression_c2s = {"none", "zlib@openssh.com"};
  k.compression_s2c = k.compression_c2s;
  return k;
}

TcpStack linux_stack(uint8_t hops, bool v6) {
  TcpStack s;
  s.ttl = uint8_t(64 - hops);
  s.syn_window = v6 ? 64800 : 64240;
  s.window = 502;
  s.mss = path_mss(v6);
  s.wscale = 7;
  s.syn_options = kLinuxSyn;
  return s;
}

TcpStack windows_stack(uint8_t hops, bool v6) {
  TcpStack s;
  s.ttl = uint8_t(128 - hops);
  s.syn_window = 64240;
  s.window = 1026;
  s.mss = path_mss(v6);
  s.wscale = 8;
  s.syn_options = kWindowsSyn;
  return s;
}

TcpStack masscan_stack(uint8_t hops) {
  TcpStack s;
  s.ttl = uint8_t(255 - hops);
  s.df = false;
  s.syn_window = 1024;
  s.window = 1024;
  s.mss = 1460;
  s.syn_options = kMasscanSyn;
  return s;
}

TcpStack nmap_stack(uint8_t hops) {
  TcpStack s;
  s.ttl = uint8_t(64 - hops);
  s.df = false;
  s.syn_window = 1024;
  s.window = 1024;
  s.mss = 1460;
  s.wscale = 10;
  s.syn_options = kNmapSyn;
  return s;
}

TcpStack sensor_stack(bool v6) {
  TcpStack s;
  s.ttl = 64;
  s.syn_window = v6 ? 64800 : 65160;
  s.window = 509;
  s.mss = path_mss(v6);
  s.wscale = 7;
  return s;
}

}  // namespace sg::simulate

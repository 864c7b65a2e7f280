// Load for `scannergrouper sense`: T threads, each opening one connection at a time from its own loopback
// source address (127.0.0.2, .3, ...: spreads the ports TIME_WAIT holds), sending one HTTP request and
// reading the answer to the sensor's close, for D seconds. Prints sessions answered per second and the
// failures. The sensor runs separately (bench/sense_bench.sh starts it and reads its memory).
//   sense_load PORT THREADS SECONDS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sense_load PORT THREADS SECONDS\n");
    return 2;
  }
  const int port = std::stoi(argv[1]), threads = std::stoi(argv[2]);
  const double seconds = std::stod(argv[3]);
  std::atomic<long> ok{0}, failed{0}, cookies{0};
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  const std::string req = "GET / HTTP/1.1\r\nHost: sensor\r\nUser-Agent: sense-load/1.0\r\nAccept: */*\r\n\r\n";
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      sockaddr_in src{}, dst{};
      src.sin_family = dst.sin_family = AF_INET;
      src.sin_addr.s_addr = htonl(0x7f000002u + static_cast<uint32_t>(t % 200));
      dst.sin_addr.s_addr = htonl(0x7f000001u);
      dst.sin_port = htons(static_cast<uint16_t>(port));
      char buf[8192];
      while (std::chrono::steady_clock::now() < end) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        bool good = bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0 &&
                    connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0 &&
                    send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
        std::string got;
        while (good) {
          const ssize_t n = recv(fd, buf, sizeof buf, 0);
          if (n <= 0) break;
          got.append(buf, static_cast<size_t>(n));
        }
        close(fd);
        good = good && got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0;
        (good ? ok : failed)++;
        if (got.find("\r\nSet-Cookie: ") != std::string::npos) cookies++;
      }
    });
  }
  for (auto& th : pool) th.join();
  std::printf("sessions %ld failed %ld tagged %ld seconds %.1f sessions_per_s %.0f\n", ok.load(), failed.load(),
              cookies.load(), seconds, ok.load() / seconds);
  return 0;
}

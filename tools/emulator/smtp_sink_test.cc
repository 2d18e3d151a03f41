#include "tools/emulator/smtp_sink.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "tools/emulator/emulator.h"

namespace slipway::emulator {
namespace {

void SendWelcome(int port, const std::string& to) {
  Poco::Net::SMTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.login(Poco::Net::SMTPClientSession::AUTH_LOGIN, "user", "pass");
  Poco::Net::MailMessage message;
  message.setSender("Slipway <noreply@slipway.test>");
  message.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
  message.setSubject("Welcome");
  message.setContent("Your site is live.\r\n.leading dot survives\r\n");
  session.sendMessage(message);
  session.close();
}

TEST(SmtpSinkTest, KeepsMessagesFromPocosClient) {
  std::mutex mu;
  std::vector<Mail> got;
  auto sink = SmtpSink::Start("127.0.0.1", 0, [&](Mail m) {
    std::lock_guard<std::mutex> lock(mu);
    got.push_back(std::move(m));
  });
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  SendWelcome((*sink)->port(), "owner@tenant.test");
  (*sink)->Stop();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, "noreply@slipway.test");
  ASSERT_EQ(got[0].to.size(), 1u);
  EXPECT_EQ(got[0].to[0], "owner@tenant.test");
  EXPECT_NE(got[0].data.find("Subject: Welcome"), std::string::npos) << got[0].data;
  EXPECT_NE(got[0].data.find("\r\n.leading dot survives"), std::string::npos) << got[0].data;
}

TEST(SmtpSinkTest, EmulatorLogsMailSent) {
  EmulatorOptions o;
  o.data_dir = (std::filesystem::temp_directory_path() /
                ("emu_smtp_" + std::to_string(::getpid()))).string();
  o.smtp_port = 0;
  auto emu = Emulator::Start(o);
  ASSERT_TRUE(emu.ok()) << emu.status().ToString();
  ASSERT_GT((*emu)->smtp_port(), 0);
  SendWelcome((*emu)->smtp_port(), "a@b.test");
  EXPECT_EQ((*emu)->log().Count("mail_sent", "a@b.test"), 1);
  emu->reset();
  std::filesystem::remove_all(o.data_dir);
}

}  // namespace
}  // namespace slipway::emulator

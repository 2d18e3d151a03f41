#include "activities/notify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "activities/emulator_fixture.h"

namespace slipway::activities {
namespace {

class NotifyTest : public testing::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    options_.smtp_port = 0;
    StartEmulator();
    Result<SmtpConfig> c = ParseSmtpUrl("smtp://127.0.0.1:" + std::to_string(emu_->smtp_port()));
    ASSERT_TRUE(c.ok());
    notifier_ = std::make_unique<Notifier>(*c);
  }
  WelcomeEmail Welcome(const std::string& key = "wf-7/welcome") {
    return {"owner@foo.example", "foo", "https://foo-dev.sites.example",
            "https://github.com/acme/foo", key};
  }
  nlohmann::json Mails() {
    HttpRequest req;
    req.url = emu_->base_url() + "/_admin/mail";
    Result<HttpResponse> resp = http_.Send(req);
    EXPECT_TRUE(resp.ok());
    return resp.ok() ? nlohmann::json::parse(resp->body) : nlohmann::json::array();
  }
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifyTest, DeliversOneWelcomeMail) {
  Result<NotifyResult> r = notifier_->SendWelcome(Welcome());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->message_id, MessageIdFor("wf-7/welcome"));
  nlohmann::json mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["to"][0], "owner@foo.example");
  std::string data = mails[0]["data"];
  EXPECT_NE(data.find("Message-ID: " + r->message_id), std::string::npos);
  EXPECT_NE(data.find("https://foo-dev.sites.example"), std::string::npos);
  EXPECT_NE(data.find("https://github.com/acme/foo"), std::string::npos);
  EXPECT_EQ(emu_->log().Count("mail_sent", "owner@foo.example"), 1);
}

TEST_F(NotifyTest, RepeatWithTheSameKeyIsOneMail) {
  ASSERT_TRUE(notifier_->SendWelcome(Welcome()).ok());
  Result<NotifyResult> again = notifier_->SendWelcome(Welcome());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Mails().size(), 1u);  // same Message-ID: the sink drops the resend
  EXPECT_EQ(emu_->log().Count("mail_sent"), 1);
  ASSERT_TRUE(notifier_->SendWelcome(Welcome("wf-8/welcome")).ok());
  EXPECT_EQ(Mails().size(), 2u);
}

TEST_F(NotifyTest, TransientRefusalIsRetryableAndNothingIsDelivered) {
  Faults(R"({"rules":[{"method":"SMTP","status":451,"times":1}]})");
  Status s = notifier_->SendWelcome(Welcome()).status();
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_EQ(Mails().size(), 0u);
  ASSERT_TRUE(notifier_->SendWelcome(Welcome()).ok());
  EXPECT_EQ(emu_->log().Count("mail_sent"), 1);
}

TEST_F(NotifyTest, LostReplyAfterDeliveryIsRetryableAndTheResendIsOneMail) {
  Faults(R"({"rules":[{"method":"SMTP","status":451,"times":1,"after_effect":true}]})");
  Status s = notifier_->SendWelcome(Welcome()).status();
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_EQ(Mails().size(), 1u);  // it landed; the sender could not know
  ASSERT_TRUE(notifier_->SendWelcome(Welcome()).ok());
  EXPECT_EQ(Mails().size(), 1u);
  EXPECT_EQ(emu_->log().Count("mail_sent"), 1);
}

TEST_F(NotifyTest, HttpFaultRulesDoNotTouchSmtp) {
  Faults(R"({"rules":[{"path":"*","status":503}]})");
  EXPECT_TRUE(notifier_->SendWelcome(Welcome()).ok());
}

TEST_F(NotifyTest, BadInputIsInvalidArgument) {
  WelcomeEmail m = Welcome();
  m.to = "owner@foo.example\r\nBcc: x@y.example";
  EXPECT_EQ(notifier_->SendWelcome(m).status().code(), Code::kInvalidArgument);
  m = Welcome();
  m.idempotency_key.clear();
  EXPECT_EQ(notifier_->SendWelcome(m).status().field(), "idempotency_key");
  EXPECT_TRUE(Mails().empty());
}

TEST_F(NotifyTest, NoServerIsRetryable) {
  Notifier n(SmtpConfig{"127.0.0.1", ClosedPort(), "a@b.example", 2000});
  Result<NotifyResult> r = n.SendWelcome(Welcome());
  EXPECT_TRUE(r.status().retryable()) << r.status().ToString();
}

TEST(SmtpUrlTest, Parses) {
  Result<SmtpConfig> c = ParseSmtpUrl("smtp://mail.internal:2525");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "mail.internal");
  EXPECT_EQ(c->port, 2525);
  EXPECT_EQ(ParseSmtpUrl("smtp://mail.internal")->port, 25);
  EXPECT_FALSE(ParseSmtpUrl("http://x:25").ok());
  EXPECT_FALSE(ParseSmtpUrl("smtp://x:99999").ok());
  EXPECT_FALSE(ParseSmtpUrl("smtp://user:pw@x:25").ok());
}

TEST(WelcomeJsonTest, ReadsFields) {
  Result<WelcomeEmail> m = WelcomeEmailFromJson({{"to", "a@b.example"},
                                                 {"tenant", "t"},
                                                 {"editor_url", "https://e"},
                                                 {"idempotency_key", "k"}});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->editor_url, "https://e");
  EXPECT_EQ(WelcomeEmailFromJson({{"to", 3}}).status().field(), "to");
}

}  // namespace
}  // namespace slipway::activities

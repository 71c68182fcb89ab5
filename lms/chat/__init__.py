"""Team chat: the reminders' digest and weekly summary posted to a team's Microsoft Teams
(Workflows webhook) or Slack (incoming webhook) channel, after the mails of
``lms reminders send``. docs/operations.md "Team chat" says what goes where and why."""

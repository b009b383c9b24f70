//! Interface text in English and Simplified Chinese. Every string a user
//! reads is a [`Msg`]; a missing translation is a compile error, not a blank.
//! The language comes from the user's profile, else the `rapport_lang`
//! cookie / `Accept-Language` the server rendered with.

use leptos::prelude::*;
use rapport_shared::auth::{Language, Role};
use rapport_shared::customer::SourceChannel;
use rapport_shared::pipeline::DealStatus;
use rapport_shared::team::KeyScope;
use rapport_shared::validate::FieldError;

/// Cookie that remembers the chosen language for server rendering.
pub const LANG_COOKIE: &str = "rapport_lang";

/// The language the server rendered the page in (provided per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitialLanguage(pub Language);

macro_rules! messages {
    ($($key:ident => $en:literal, $zh:literal;)+) => {
        /// A piece of interface text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($key),+ }

        impl Msg {
            pub fn text(self, lang: Language) -> &'static str {
                match lang {
                    Language::En => match self { $(Msg::$key => $en),+ },
                    Language::ZhCn => match self { $(Msg::$key => $zh),+ },
                }
            }
        }
    };
}

messages! {
    AppName => "Rapport", "Rapport";
    Dashboard => "Dashboard", "概览";
    Customers => "Customers", "客户";
    Settings => "Settings", "设置";
    SignIn => "Sign in", "登录";
    SignOut => "Sign out", "退出登录";
    Email => "E-mail", "电子邮箱";
    Password => "Password", "密码";
    WrongCredentials => "E-mail or password is wrong.", "邮箱或密码错误。";
    TooManyAttempts => "Too many attempts. Please wait a few minutes and try again.", "尝试次数过多，请稍后再试。";
    Offline => "Cannot reach the server. Check your connection and try again.", "无法连接服务器，请检查网络后重试。";
    SomethingWrong => "Something went wrong. Please try again.", "出错了，请重试。";
    Retry => "Try again", "重试";
    Loading => "Loading…", "加载中…";
    SetupTitle => "Welcome to Rapport", "欢迎使用 Rapport";
    SetupIntro => "Create your organisation and the first administrator account.", "创建您的组织和第一个管理员账户。";
    OrgName => "Organisation name", "组织名称";
    YourName => "Your name", "您的姓名";
    CreateOrg => "Create organisation", "创建组织";
    AlreadySetUp => "Rapport is already set up. Please sign in.", "Rapport 已完成设置，请登录。";
    Search => "Search", "搜索";
    SearchPlaceholder => "Name, phone or e-mail", "姓名、电话或邮箱";
    NewCustomer => "New customer", "新建客户";
    EditCustomer => "Edit customer", "编辑客户";
    NoCustomers => "No customers yet", "还没有客户";
    NoCustomersHint => "Add your first customer to start following up.", "添加第一个客户，开始跟进。";
    NoMatches => "No customers match", "没有匹配的客户";
    NoMatchesHint => "Try another search or clear the filters.", "请换个关键词或清除筛选条件。";
    ClearFilters => "Clear filters", "清除筛选";
    LoadMore => "Load more", "加载更多";
    AllStatuses => "All statuses", "全部状态";
    Untouched30 => "No contact for 30+ days", "30 天以上未跟进";
    SortByName => "Name A–Z", "按名称";
    SortByRecent => "Recently touched", "最近跟进";
    SortByOldest => "Waiting longest", "最久未跟进";
    Tag => "Tag", "标签";
    Kind => "Type", "类型";
    Company => "Company", "公司";
    Person => "Person", "个人";
    Name => "Name", "名称";
    Phones => "Phones", "电话";
    Emails => "E-mails", "邮箱";
    CommaSeparated => "Separate several with commas", "多个请用逗号分隔";
    Address => "Address", "地址";
    Industry => "Industry", "行业";
    Size => "Size", "规模";
    Region => "Region", "地区";
    Source => "Source", "来源";
    Status => "Status", "状态";
    Tags => "Tags", "标签";
    Owner => "Owner", "负责人";
    LastTouch => "Last touch", "最近跟进";
    Created => "Created", "创建时间";
    Save => "Save", "保存";
    Saving => "Saving…", "保存中…";
    Cancel => "Cancel", "取消";
    Edit => "Edit", "编辑";
    Archive => "Archive", "归档";
    Archived => "Archived", "已归档";
    ConfirmArchive => "Archive this customer? It will be hidden from lists.", "确定归档该客户？归档后将不在列表中显示。";
    Details => "Details", "详细信息";
    Contacts => "Contacts", "联系人";
    NoContacts => "No contacts yet.", "还没有联系人。";
    AddContact => "Add contact", "添加联系人";
    Title => "Title", "职务";
    Phone => "Phone", "电话";
    Notes => "Notes", "备注";
    Remove => "Remove", "删除";
    NotFound => "Not found", "未找到";
    NotFoundHint => "This page or record does not exist, or you cannot see it.", "该页面或记录不存在，或您无权查看。";
    ForbiddenHint => "Your role cannot open this. Ask an admin if you need it.", "您的角色无权打开此内容。如有需要，请联系管理员。";
    BackToCustomers => "Back to customers", "返回客户列表";
    FixFields => "Please correct the highlighted fields.", "请修正标出的字段。";
    Language => "Language", "语言";
    TimeZone => "Time zone", "时区";
    Profile => "Profile", "个人资料";
    Saved => "Saved.", "已保存。";
    ChangePassword => "Change password", "修改密码";
    ChangePasswordHint => "You stay signed in here; every other device is signed out.", "本设备保持登录，其他设备将全部退出登录。";
    CurrentPassword => "Current password", "当前密码";
    NewPassword => "New password", "新密码";
    NewPasswordHint => "8 to 128 characters.", "8 至 128 个字符。";
    WrongCurrentPassword => "The current password is wrong.", "当前密码错误。";
    PasswordChanged => "Password changed. Other devices are signed out.", "密码已修改，其他设备已退出登录。";
    LangEn => "English", "English";
    LangZh => "简体中文", "简体中文";
    TimeZoneHint => "IANA name, e.g. Asia/Shanghai or Europe/London", "IANA 时区名称，例如 Asia/Shanghai";
    Welcome => "Welcome back", "欢迎回来";
    RecentlyTouched => "Recently touched customers", "最近跟进的客户";
    WaitingLongest => "Waiting longest for follow-up", "最久未跟进的客户";
    ViewAll => "View all", "查看全部";
    CustomFields => "Custom fields", "自定义字段";
    Role => "Role", "角色";
    Dash => "—", "—";
    StatusLead => "Lead", "线索";
    StatusProspect => "Prospect", "潜在客户";
    StatusCustomer => "Customer", "成交客户";
    StatusLost => "Lost", "已流失";
    SrcWebForm => "Web form", "网页表单";
    SrcShareLink => "Share link", "分享链接";
    SrcReferral => "Referral", "转介绍";
    SrcPhone => "Phone call", "电话";
    SrcWalkIn => "Walk-in", "上门";
    SrcEvent => "Event", "活动";
    SrcAdvertising => "Advertising", "广告";
    SrcImport => "Import", "导入";
    SrcOther => "Other", "其他";
    QuickEntry => "Quick entry", "快速记录";
    LogActivity => "Log activity", "记录跟进";
    KindCall => "Call", "电话";
    KindVisit => "Visit", "拜访";
    KindEmail => "E-mail", "邮件";
    KindMessage => "Message", "消息/微信";
    KindMeeting => "Meeting", "会议";
    KindNote => "Note", "备注";
    OutcomeReached => "Reached", "已接通";
    OutcomeNoAnswer => "No answer", "未接通";
    OutcomeInterested => "Interested", "有意向";
    OutcomeNotInterested => "Not interested", "无意向";
    OutcomeFollowUp => "Follow-up needed", "需跟进";
    Outcome => "Outcome", "结果";
    NoteLabel => "What happened?", "跟进内容";
    NextFollowUp => "Next follow-up", "下次跟进";
    NoFollowUp => "None", "无";
    Tomorrow9 => "Tomorrow 9:00", "明天 9:00";
    In3Days => "In 3 days", "3 天后";
    NextWeek => "Next week", "下周";
    PickDate => "Pick a date", "选择日期";
    WaitingToSend => "Waiting to send", "等待发送";
    WaitingHint => "Saved on this device; it is sent when the connection returns.", "已保存在本设备，联网后自动发送。";
    ActivitySaved => "Saved to the timeline.", "已记录到时间线。";
    Rejected => "The server did not accept this entry.", "服务器未接受此记录。";
    Discard => "Discard", "丢弃";
    Delete => "Delete", "删除";
    ConfirmDeleteActivity => "Delete this activity? The timeline keeps a note of the deletion.", "确定删除这条跟进？时间线会保留删除记录。";
    Timeline => "Timeline", "时间线";
    NoEvents => "Nothing here yet.", "暂无记录。";
    FilterAll => "All", "全部";
    FilterCalls => "Calls", "电话";
    FilterVisits => "Visits", "拜访";
    FilterMessages => "Messages", "消息";
    FilterMeetings => "Meetings", "会议";
    FilterNotes => "Notes", "备注";
    FilterChanges => "Changes", "变更";
    EvCustomerCreated => "Customer created", "创建了客户";
    EvCustomerUpdated => "Details changed", "修改了资料";
    EvContactAdded => "Contact added", "添加了联系人";
    EvContactUpdated => "Contact changed", "修改了联系人";
    EvOwnerChanged => "Handed over", "转交了客户";
    EvActivityEdited => "Activity edited", "编辑了跟进记录";
    EvActivityDeleted => "Activity deleted", "删除了跟进记录";
    System => "Rapport", "系统";
    EvDealCreated => "Deal opened", "新建了商机";
    EvStageChanged => "Deal moved", "推进了商机";
    EvDealWon => "Deal won", "赢单";
    EvDealLost => "Deal lost", "输单";
    EvReminderCreated => "Reminder set", "设置了提醒";
    EvReminderCompleted => "Reminder done", "完成了提醒";
    EvReminderSnoozed => "Reminder snoozed", "推迟了提醒";
    EvReminderCancelled => "Reminder cancelled", "取消了提醒";
    EvReminderOverdue => "Reminder overdue", "提醒已逾期";
    EvPlaybookStarted => "Playbook started", "启动了跟进计划";
    EvPlaybookStopped => "Playbook stopped", "停止了跟进计划";
    EvCustomerPooled => "Returned to the shared pool", "退回公海";
    EvCustomerClaimed => "Claimed from the shared pool", "从公海领取了客户";
    PoolReasonUntouched => "No contact", "未跟进";
    PreviousOwner => "previous owner", "原负责人";
    SharedPool => "Shared pool", "公海";
    InSharedPool => "In the shared pool", "在公海中";
    PoolEmpty => "The shared pool is empty", "公海暂无客户";
    PoolEmptyHint => "Customers nobody contacted for a while, or lost, return here; anyone can claim them.", "长期未跟进或已流失的客户会退回这里，任何人都可以领取。";
    Claim => "Claim", "领取";
    Claimed => "Claimed: the customer is yours now.", "已领取，该客户现在由您负责。";
    ClaimTaken => "Someone else claimed this customer first.", "该客户已被他人抢先领取。";
    ClaimLimit => "You own as many customers as your organisation allows. Hand some over first.", "您负责的客户数已达组织上限，请先转交部分客户。";
    ClaimQuota => "You have used up your claims for today. Try again later.", "您今天的领取次数已用完，请稍后再试。";
    DuplicateOwned => "This customer exists already. Owner:", "该客户已存在。负责人：";
    DuplicateInPool => "This customer exists already and is in the shared pool.", "该客户已存在，目前在公海中。";
    DuplicateAskOwner => "Ask the owner to hand it over to you.", "可请负责人将其转交给您。";
    OpenCustomer => "Open the customer", "查看客户";
    PoolSettings => "Shared pool", "公海规则";
    PoolSettingsHint => "Customers nobody contacted for the set number of days, or lost, return to a shared pool where anyone can claim them. Leave a number empty to turn it off.", "超过设定天数未跟进或已流失的客户会退回公海，任何人都可以领取。留空表示不启用。";
    StaleAfterDays => "Counts as not contacted after (days)", "超过多少天算作未跟进（天）";
    PoolAfterDays => "Returns to the pool after (days)", "超过多少天退回公海（天）";
    MaxOwnedPerRep => "Most customers per rep", "每人最多负责客户数";
    DailyClaimQuota => "Claims per person per day", "每人每天最多领取数";
    EmptyIsOff => "Empty: off", "留空：不启用";
    Playbooks => "Playbooks", "跟进计划";
    PlaybooksHint => "A playbook is a cadence of follow-up steps. Applied to a customer, each step becomes a reminder for the customer's owner; winning or losing the deal stops it.", "跟进计划是一组按节奏执行的跟进步骤。应用到客户后，每一步都会成为客户负责人的提醒；商机赢单或输单时自动停止。";
    NewPlaybook => "New playbook", "新建跟进计划";
    PlaybookName => "Name", "名称";
    StartsWhenDealEnters => "Starts when a deal enters", "商机进入此阶段时自动启动";
    OnlyByHand => "Only when applied by hand", "仅手动应用";
    StartsAt => "starts at", "启动于";
    Day => "Day", "第几天";
    Time => "Time", "时间";
    Channel => "Channel", "方式";
    StepTitle => "What to do", "要做什么";
    Script => "Script or template (optional)", "话术或模板（可选）";
    AddStep => "Add step", "添加步骤";
    FixErrors => "Please correct the marked fields.", "请修改标出的字段。";
    ConfirmRemovePlaybook => "Remove this playbook? Runs in progress keep their reminders.", "删除此跟进计划？进行中的计划会保留其提醒。";
    NoPlaybooksYet => "No playbooks yet. An admin defines them in Settings.", "还没有跟进计划，管理员可在设置中创建。";
    NoPlaybookRuns => "No playbook has run for this customer.", "此客户还没有运行过跟进计划。";
    ChoosePlaybook => "Choose a playbook", "选择跟进计划";
    ApplyPlaybook => "Apply", "应用";
    PlaybookStartedMsg => "Playbook started: its steps are in the owner's agenda.", "跟进计划已启动，步骤已加入负责人的日程。";
    PlaybookStoppedMsg => "Playbook stopped; its open steps were cancelled.", "跟进计划已停止，未完成的步骤已取消。";
    PlaybookAlreadyRunning => "This playbook is already running for this customer.", "此跟进计划已在为该客户运行。";
    ConfirmStopPlaybook => "Stop this playbook? Its open steps are cancelled.", "停止此跟进计划？未完成的步骤将被取消。";
    StopPlaybook => "Stop", "停止";
    RunActive => "Running", "进行中";
    RunCompleted => "Completed", "已完成";
    RunStopped => "Stopped", "已停止";
    Progress => "Progress", "进度";
    StepsDone => "steps done", "步已完成";
    CalendarFeed => "Calendar subscription", "日历订阅";
    CalendarFeedHint => "Subscribe to this address in your phone's calendar to see your reminders there. Anyone with the address can read them: creating a new address stops the old one.", "在手机日历中订阅此地址即可查看您的提醒。任何拿到地址的人都能读取：创建新地址后旧地址失效。";
    CreateCalendarLink => "Create a new address", "创建新地址";
    RevokeCalendarLink => "Stop the address", "停用地址";
    CalendarRevoked => "The calendar address no longer works.", "日历地址已停用。";
    CalendarInUseSince => "An address is in use, made", "地址使用中，创建于";
    CalendarNone => "No address yet.", "尚未创建地址。";
    Month => "Month", "月";
    PreviousMonth => "Previous month", "上个月";
    NextMonth => "Next month", "下个月";
    MoveToDay => "Move to day", "改到某天";
    DragToReschedule => "Drag a reminder to another day to reschedule it, or pick the day from its menu.", "拖动提醒到其他日期即可改期，也可在其菜单中选择日期。";
    MyDay => "My day", "我的今天";
    OpenAgenda => "Open agenda", "打开日程";
    DueToday => "Due today", "今天到期";
    NothingDueToday => "Nothing due today. Well done.", "今天没有待办，做得好。";
    People => "People", "成员";
    PeopleConflict => "That cannot be done: the e-mail is taken, the org needs an admin, or the person is already deactivated.", "无法完成：邮箱已被使用、组织需要至少一位管理员，或此人已停用。";
    RoleRep => "Rep", "销售";
    RoleManager => "Manager", "经理";
    RoleAdmin => "Admin", "管理员";
    PersonName => "Name", "姓名";
    Team => "Team", "团队";
    NoTeam => "No team", "无团队";
    PasswordOptional => "Password (or leave empty to invite)", "密码（留空则发送邀请链接）";
    AddPerson => "Add person", "添加成员";
    InviteLinkHint => "Send this one-time link to the new person (valid 7 days):", "请将此一次性链接发给新成员（7 天内有效）：";
    ChooseReceiver => "Choose who receives their customers.", "请选择接收其客户的人。";
    ConfirmDeactivate => "Deactivate this person? Their customers, open deals and reminders move now and their access ends at once.", "停用此成员？其客户、进行中的商机和提醒将立即转交，访问权限立即失效。";
    HandedOver => "Handed over", "已转交";
    Deactivated => "Deactivated", "已停用";
    Deactivate => "Deactivate", "停用";
    HandOverTo => "Hand over to", "转交给";
    RoundRobin => "Everyone in the team, in turn", "团队成员轮流接收";
    DeactivateAndHandOver => "Deactivate and hand over", "停用并转交";
    Teams => "Teams", "团队";
    TeamsHint => "A manager sees the customers, deals and reminders of their team's members.", "经理可以查看其团队成员的客户、商机和提醒。";
    Members => "members", "名成员";
    TeamName => "Team name", "团队名称";
    AddTeam => "Add team", "添加团队";
    InviteIntro => "Choose a password to finish setting up your account.", "设置密码以完成账户创建。";
    InviteInvalid => "This invitation link is not valid any more. Ask your admin for a new one.", "此邀请链接已失效，请联系管理员重新发送。";
    SetPassword => "Set password and sign in", "设置密码并登录";
    ApiKeys => "API keys", "API 密钥";
    ApiKeysHint => "Keys let other systems (ERP, BI) use the API as you, with what you may see. Read keys cannot change anything.", "密钥让其他系统（ERP、BI）以您的身份使用 API，权限与您相同。只读密钥不能修改任何数据。";
    KeySecretOnce => "Copy the key now; it is not shown again:", "请立即复制密钥，之后不会再显示：";
    NoApiKeys => "No API keys.", "暂无 API 密钥。";
    NeverUsed => "never", "从未";
    LastUsed => "Last used", "最近使用";
    Revoke => "Revoke", "撤销";
    ConfirmRevokeKey => "Revoke this key? Systems using it stop working at once.", "撤销此密钥？使用它的系统将立即失效。";
    KeyName => "What it is for (e.g. ERP)", "用途（如 ERP）";
    KeyScopeLabel => "Access", "权限";
    ScopeRead => "Read only", "只读";
    ScopeWrite => "Read and write", "读写";
    CreateKey => "Create key", "创建密钥";
    Reassign => "Reassign", "转交";
    Reassigned => "Reassigned, with their open deals and reminders.", "已转交，进行中的商机和提醒一并转交。";
    Selected => "selected", "已选择";
    TeamDeals => "My team", "我的团队";
    AllTeams => "All teams", "全部团队";
    TeamDashboard => "Team", "团队";
    TeamDashboardHint => "Counts per person you supervise; tap a figure for the list behind it. A customer counts as not contacted after this many days without activity:", "您所管理的每位成员的数据，点击数字查看明细。客户超过以下天数没有跟进即计为未联系：";
    NoTeamYet => "No one to supervise yet", "暂无可管理的成员";
    NotContacted => "Not contacted", "未联系";
    ActivitiesThisWeek => "This week", "本周跟进";
    OpenReminders => "Open reminders", "待办提醒";
    OpenDeals => "Open deals", "进行中商机";
    LastActivity => "Last activity", "最近跟进";
    Steps => "steps", "个步骤";
    FilterReminders => "Reminders", "提醒";
    Agenda => "Agenda", "日程";
    Today => "Today", "今天";
    ThisWeek => "Week", "本周";
    ReminderTitle => "What to do", "待办事项";
    DueAt => "Due", "到期时间";
    AddReminder => "Add reminder", "添加提醒";
    NothingDue => "Nothing due", "暂无待办";
    NothingDueHint => "Reminders and follow-ups due in this period appear here.", "此期间到期的提醒和跟进会显示在这里。";
    Overdue => "Overdue", "已逾期";
    Done => "Done", "完成";
    SnoozeHour => "In 1 hour", "1 小时后";
    Notifications => "Notifications", "通知";
    MarkAllRead => "Mark all read", "全部已读";
    NoNotifications => "No notifications yet.", "暂无通知。";
    Close => "Close", "关闭";
    FilterDeals => "Deals", "商机";
    Pipeline => "Pipeline", "销售漏斗";
    Deals => "Deals", "商机";
    NewDeal => "New deal", "新建商机";
    DealTitle => "Deal", "商机名称";
    Amount => "Amount", "金额";
    NoDeals => "No deals yet.", "暂无商机。";
    Weighted => "weighted", "加权";
    DaysInStage => "days in stage", "天在此阶段";
    Rotting => "Idle too long", "停滞过久";
    MoveTo => "Move to…", "移动到…";
    MoveRefused => "The move was not saved; the card is back where it was.", "移动未保存，卡片已复原。";
    MoveStale => "Someone changed this deal meanwhile; the board was reloaded.", "该商机已被他人修改，已刷新。";
    AllDeals => "All deals", "全部商机";
    MyDeals => "My deals", "我的商机";
    NoDealsHere => "No deals in this stage.", "此阶段暂无商机。";
    Forecast => "Forecast by expected close", "按预计成交月份预测";
    NoCloseDate => "No close date", "未设成交日期";
    CloseDeal => "Close the deal", "结束商机";
    SalesStages => "Sales stages", "销售阶段";
    SalesStagesHint => "Win probability weighs the forecast; a deal idle longer than its rotting days is flagged. A stage that holds deals cannot be removed.", "赢单概率用于加权预测；停留超过滞留天数的商机会被标记。仍有商机的阶段不能删除。";
    StageName => "Stage name", "阶段名称";
    Probability => "Win probability (%)", "赢单概率（%）";
    RottingDays => "Rotting days", "滞留天数";
    AddStage => "Add stage", "添加阶段";
    MoveUp => "Move up", "上移";
    MoveDown => "Move down", "下移";
    StageHasDeals => "This stage still holds deals. Move them to another stage first.", "该阶段仍有商机，请先将其移到其他阶段。";
    ConfirmRemoveStage => "Remove this stage?", "删除此阶段？";
    DealOpen => "Open", "进行中";
    StageWon => "Won", "赢单";
    StageLost => "Lost", "输单";
    NoPipeline => "No pipeline yet.", "还没有销售漏斗。";
    StageHistory => "Stage history", "阶段历史";
    Win => "Mark won", "标记赢单";
    Lose => "Mark lost", "标记输单";
    LostReason => "Reason", "原因";
    Customer => "Customer", "客户";
    ExpectedClose => "Expected close", "预计成交";
    Days => "days", "天";
    Now => "now", "至今";
    ChooseCustomer => "Who was it with?", "跟进哪个客户？";
    RecentCustomers => "Recently touched", "最近跟进";
    ChangeCustomer => "Change", "更换";
    ErrFuture => "Must not be in the future.", "不能晚于当前时间。";
    ErrFollowUpOrder => "Must be after the activity.", "必须晚于本次跟进。";
    ErrRequired => "Required.", "必填。";
    ErrTooLong => "Too long.", "内容过长。";
    ErrTooShort => "Too short (at least 8 characters).", "太短（至少 8 个字符）。";
    ErrEmail => "Not a valid e-mail address.", "邮箱格式不正确。";
    ErrPhone => "Not a valid phone number.", "电话号码格式不正确。";
    ErrTooMany => "Too many entries.", "条目过多。";
    ErrInvalid => "Not a valid value.", "无效的值。";
    ErrIncorrect => "Not correct.", "不正确。";
    ErrTaken => "Already in use.", "已被使用。";
}

/// The current language, as a signal all text reads from.
#[derive(Debug, Clone, Copy)]
pub struct I18n(pub RwSignal<Language>);

impl I18n {
    /// The reactive text of `msg` (re-renders when the language changes).
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.0.get())
    }

    pub fn language(self) -> Language {
        self.0.get()
    }

    /// The language, read once (event handlers, initial values).
    pub fn language_untracked(self) -> Language {
        self.0.get_untracked()
    }
}

/// Provides the language signal, starting from what the server rendered.
pub fn provide_i18n() -> I18n {
    let initial = use_context::<InitialLanguage>().map(|l| l.0).unwrap_or_else(document_language);
    let i18n = I18n(RwSignal::new(initial));
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Language::En)))
}

/// A reactive text node: `tr(Msg::Save)` inside `view!`.
pub fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(msg)
}

/// The label of a role.
pub fn role_msg(role: Role) -> Msg {
    match role {
        Role::Rep => Msg::RoleRep,
        Role::Manager => Msg::RoleManager,
        Role::Admin => Msg::RoleAdmin,
    }
}

/// The label of a deal's status.
pub fn deal_status_msg(status: DealStatus) -> Msg {
    match status {
        DealStatus::Open => Msg::DealOpen,
        DealStatus::Won => Msg::StageWon,
        DealStatus::Lost => Msg::StageLost,
    }
}

/// The label of an API key's access.
pub fn key_scope_msg(scope: KeyScope) -> Msg {
    match scope {
        KeyScope::Read => Msg::ScopeRead,
        KeyScope::Write => Msg::ScopeWrite,
    }
}

/// The label of a source channel.
pub fn source_msg(source: SourceChannel) -> Msg {
    match source {
        SourceChannel::WebForm => Msg::SrcWebForm,
        SourceChannel::ShareLink => Msg::SrcShareLink,
        SourceChannel::Referral => Msg::SrcReferral,
        SourceChannel::Phone => Msg::SrcPhone,
        SourceChannel::WalkIn => Msg::SrcWalkIn,
        SourceChannel::Event => Msg::SrcEvent,
        SourceChannel::Advertising => Msg::SrcAdvertising,
        SourceChannel::Import => Msg::SrcImport,
        SourceChannel::Other => Msg::SrcOther,
    }
}

/// The message for a validation error.
pub fn field_error(err: FieldError) -> Msg {
    match err {
        FieldError::Required => Msg::ErrRequired,
        FieldError::TooLong { .. } | FieldError::TooLarge { .. } => Msg::ErrTooLong,
        FieldError::TooShort { .. } => Msg::ErrTooShort,
        FieldError::InvalidEmail => Msg::ErrEmail,
        FieldError::InvalidPhone => Msg::ErrPhone,
        FieldError::TooMany { .. } => Msg::ErrTooMany,
        FieldError::NotAnObject | FieldError::UnknownValue => Msg::ErrInvalid,
        FieldError::Incorrect => Msg::ErrIncorrect,
    }
}

/// In the browser: the `lang` of the page the server rendered, so the first
/// client render matches it.
fn document_language() -> Language {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Language::from_tag(&l))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Language::En
    }
}

/// Remembers the language for the next server render.
pub fn remember_language(lang: Language) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let _ = doc.set_cookie(&format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.tag()));
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("lang", lang.tag());
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = lang;
}

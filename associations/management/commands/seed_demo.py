from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.roles import Role
from accounts.services import staff_account_ensure
from associations.demo import demo_ledger_create
from associations.models import Association
from members.demo import demo_members_create
from projects.demo import demo_service_create
from teams.demo import demo_teams_create

DEMO_ACCOUNTS = (
    # username, role, scope code, display name
    ("region", Role.REGION_STAFF, "15", "自治区团委（演示）"),
    ("huhehaote", Role.LEAGUE_STAFF, "1501", "呼和浩特市团委（演示）"),
    ("xinchengqu", Role.COUNTY_STAFF, "150102", "新城区团委（演示）"),
    ("chifeng", Role.LEAGUE_STAFF, "1504", "赤峰市团委（演示）"),
    ("official", Role.OFFICIAL, "15", "自治区文明办（演示，只读）"),
)


class Command(BaseCommand):
    help = "载入区划和演示台账，创建演示账号并打印登录信息（每次运行重新生成密码）。"

    def add_arguments(self, parser):
        parser.add_argument("--no-accounts", action="store_true", help="只载入数据，不创建账号")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="打印的登录地址")

    def handle(self, *args, no_accounts=False, url, **options):
        call_command("load_divisions", stdout=self.stdout)
        created = demo_ledger_create()
        self.stdout.write(f"演示台账：新增协会 {created} 个。" if created else "演示台账已存在，未重复创建。")
        people = demo_members_create()
        if people:
            self.stdout.write(f"演示志愿者：新增 {people} 人（含个人会员、单位会员）。")
        teams = demo_teams_create()
        if teams:
            self.stdout.write(f"演示服务队：新增 {teams} 支。")
        projects = demo_service_create()
        if projects:
            self.stdout.write(f"演示项目：新增 {projects} 个（含活动、服务记录、培训、表彰）。")
        if no_accounts:
            return
        _, password = staff_account_ensure(username="admin", role=None, scope_code=None, superuser=True,
                                           display_name="平台管理员")
        lines = [f"  超级管理员   用户名 admin        密码 {password}"]
        for username, role, code, name in DEMO_ACCOUNTS:
            _, pw = staff_account_ensure(username=username, role=role, scope_code=code, display_name=name)
            lines.append(f"  {name:<14} 用户名 {username:<12} 密码 {pw}")
        association = Association.objects.filter(division__code="150102", level="county",
                                                 dissolved_on__isnull=True).first()
        if association is not None:
            name = "新城区青年志愿者协会秘书处（演示）"
            _, pw = staff_account_ensure(username="xcq_mishuchu", role=Role.SECRETARIAT, scope_code=None,
                                         display_name=name, association=association)
            lines.append(f"  {name:<14} 用户名 {'xcq_mishuchu':<12} 密码 {pw}")
        self.stdout.write(f"\n登录地址 {url}\n" + "\n".join(lines) + "\n")

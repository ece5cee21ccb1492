"""What ``bin/run`` asks before it changes anything: is this a trial on the local machine? It refuses production
settings, a database on another machine and a port already taken, each with what to do instead."""
import os
import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def split_host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"HOST_PORT={value!r} 的写法不对：请写成 地址:端口，例如 HOST_PORT=127.0.0.1:8001。")
    return host.strip("[]") or "127.0.0.1", int(port)


def port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


class Command(BaseCommand):
    help = "bin/run 的启动前检查：只在本机试用配置、本机数据库和空闲端口上继续。"

    def add_arguments(self, parser):
        parser.add_argument("--host-port", default=os.environ.get("HOST_PORT", "127.0.0.1:8000"))

    def handle(self, *args, host_port, **options):
        module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith("production") or not settings.DEBUG:
            raise CommandError(
                f"bin/run 只用于本机试用，会写入演示数据和演示账号；当前配置是 {module or '（未设置）'}"
                "（生产配置或 DEBUG 已关闭），没有做任何改动。生产部署请按 README 的“生产部署”一节操作。")
        database = connection.settings_dict
        host = str(database.get("HOST") or "")
        if connection.vendor != "sqlite" and host not in LOCAL_HOSTS:
            raise CommandError(
                f"bin/run 只用于本机试用，会写入演示数据和演示账号；DATABASE_URL 指向另一台机器上的数据库（{host}），"
                "没有做任何改动。请去掉 DATABASE_URL（使用内置的 SQLite），或指向本机的数据库。")
        listen_host, port = split_host_port(host_port)
        if port_taken(listen_host, port):
            raise CommandError(
                f"端口 {listen_host}:{port} 已被占用（也许平台已经在运行），没有做任何改动。请关闭占用它的程序，"
                f"或换一个端口，例如 HOST_PORT={listen_host}:{port + 1} bin/run。")
        sys.stdout.write(f"启动前检查通过：本机试用配置，数据库 {connection.vendor}，端口 {listen_host}:{port} 空闲。\n")

# TUL PYNQ-Z2: pins of the bitloom board top level (xc7z020clg400-1 CLG400).
# Generated from constraints/boards.toml by bitloom_flow::boards: edit the table, not this file.
# Pins read from:
#   a: TUL PYNQ-Z2 master XDC pynq-z2_v1.0.xdc, read as quoted in public repositories, not from TUL's archive
#   b: Xilinx/PYNQ boards/Pynq-Z2/base/vivado/constraints/base.xdc (19ed17d)
#   c: litex-hub/litex-boards litex_boards/platforms/tul_pynq_z2.py (2f06d08)
#   d: trabucayre/openFPGALoader src/board.hpp, src/cable.hpp (d43508f)

# clk: sysclk (board clock, 125 MHz)
set_property -dict { PACKAGE_PIN H16 IOSTANDARD LVCMOS33 } [get_ports { clk }]
create_clock -add -name clk -period 8.000 -waveform {0.000 4.000} [get_ports { clk }]

# uart_rx: ar[0] (UART from the host, pulled up)
set_property -dict { PACKAGE_PIN T14 IOSTANDARD LVCMOS33 PULLUP true } [get_ports { uart_rx }]

# uart_tx: ar[1] (UART to the host)
set_property -dict { PACKAGE_PIN U12 IOSTANDARD LVCMOS33 } [get_ports { uart_tx }]

# led[0]: led[0] (LED, lit when high)
set_property -dict { PACKAGE_PIN R14 IOSTANDARD LVCMOS33 } [get_ports { led[0] }]

# led[1]: led[1] (LED, lit when high)
set_property -dict { PACKAGE_PIN P14 IOSTANDARD LVCMOS33 } [get_ports { led[1] }]

# led[2]: led[2] (LED, lit when high)
set_property -dict { PACKAGE_PIN N16 IOSTANDARD LVCMOS33 } [get_ports { led[2] }]

# led[3]: led[3] (LED, lit when high)
set_property -dict { PACKAGE_PIN M14 IOSTANDARD LVCMOS33 } [get_ports { led[3] }]

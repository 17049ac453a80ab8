# Digilent Basys 3: pins of the bitloom board top level (xc7a35tcpg236-1 CPG236).
# Generated from constraints/boards.toml by bitloom_flow::boards: edit the table, not this file.
# Pins read from:
#   a: Digilent/digilent-xdc Basys-3-Master.xdc (00a3404)
#   b: litex-hub/litex-boards litex_boards/platforms/digilent_basys3.py (2f06d08)
#   c: trabucayre/openFPGALoader src/board.hpp, src/cable.hpp (d43508f)

# clk: clk (board clock, 100 MHz)
set_property -dict { PACKAGE_PIN W5 IOSTANDARD LVCMOS33 } [get_ports { clk }]
create_clock -add -name clk -period 10.000 -waveform {0.000 5.000} [get_ports { clk }]

# uart_rx: RsRx (UART from the host, pulled up)
set_property -dict { PACKAGE_PIN B18 IOSTANDARD LVCMOS33 PULLUP true } [get_ports { uart_rx }]

# uart_tx: RsTx (UART to the host)
set_property -dict { PACKAGE_PIN A18 IOSTANDARD LVCMOS33 } [get_ports { uart_tx }]

# led[0]: led[0] (LED, lit when high)
set_property -dict { PACKAGE_PIN U16 IOSTANDARD LVCMOS33 } [get_ports { led[0] }]

# led[1]: led[1] (LED, lit when high)
set_property -dict { PACKAGE_PIN E19 IOSTANDARD LVCMOS33 } [get_ports { led[1] }]

# led[2]: led[2] (LED, lit when high)
set_property -dict { PACKAGE_PIN U19 IOSTANDARD LVCMOS33 } [get_ports { led[2] }]

# led[3]: led[3] (LED, lit when high)
set_property -dict { PACKAGE_PIN V19 IOSTANDARD LVCMOS33 } [get_ports { led[3] }]

# led[4]: led[4] (LED, lit when high)
set_property -dict { PACKAGE_PIN W18 IOSTANDARD LVCMOS33 } [get_ports { led[4] }]

# led[5]: led[5] (LED, lit when high)
set_property -dict { PACKAGE_PIN U15 IOSTANDARD LVCMOS33 } [get_ports { led[5] }]

# led[6]: led[6] (LED, lit when high)
set_property -dict { PACKAGE_PIN U14 IOSTANDARD LVCMOS33 } [get_ports { led[6] }]

# led[7]: led[7] (LED, lit when high)
set_property -dict { PACKAGE_PIN V14 IOSTANDARD LVCMOS33 } [get_ports { led[7] }]

# configuration bank voltage
set_property CONFIG_VOLTAGE 3.3 [current_design]
set_property CFGBVS VCCO [current_design]
